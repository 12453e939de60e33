// Ordinary C++ with templates, virtual calls, exceptions and lambdas, but no
// coroutine: the plugin must leave its object file byte-identical.
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
struct Rect : Shape {
  double w, h;
  Rect(double w, double h) : w(w), h(h) {}
  double area() const override { return w * h; }
};

double total_area(const std::vector<std::unique_ptr<Shape>> &shapes) {
  double sum = 0;
  for (const auto &s : shapes)
    sum += s->area();
  return sum;
}

std::map<std::string, int> histogram(const std::vector<std::string> &words) {
  std::map<std::string, int> h;
  for (const auto &w : words) {
    if (w.empty())
      throw std::invalid_argument("empty word");
    ++h[w];
  }
  return h;
}

int largest(std::vector<int> v) {
  std::sort(v.begin(), v.end(), [](int a, int b) { return a > b; });
  return v.empty() ? 0 : v.front();
}
