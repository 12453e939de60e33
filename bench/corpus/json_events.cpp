// json_events.cpp - a JSON parser built from generators.
//
// The document (a few hundred KB, generated deterministically) flows through
// three layers of corolib::generator:
//   lex()          yields tokens; its scanning position, the current token and
//                  a std::string for decoded string escapes live across every
//                  co_yield,
//   parse_value()  yields parse events (begin/end object, key, scalar...); it
//                  is recursive: a nested object or array is a nested
//                  generator whose events are re-yielded, so a deep value has
//                  one suspended frame per level,
//   flatten()      turns events into (path, value) records, keeping the path
//                  as a std::vector<std::string> across its co_yields.
// main() consumes the records and prints statistics and a checksum.
//
// Frame-layout situation: generator frames with strings, string_views,
// vectors and small state across co_yields in loops and switch arms.
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using corolib::generator;

// ---------------------------------------------------------------- the input
static std::string make_document(int records) {
  std::string s = "{\"version\": 3, \"items\": [\n";
  for (int i = 0; i < records; ++i) {
    char buf[512];
    int tags = i % 4;
    std::snprintf(buf, sizeof buf,
                  "  {\"id\": %d, \"name\": \"item-%d\\t\\\"q\\\"\", "
                  "\"price\": %d.%02d, \"ok\": %s, \"none\": null, "
                  "\"dims\": {\"w\": %d, \"h\": %d, \"d\": [%d, %d, %d]}, "
                  "\"tags\": [",
                  i, i * 7, i % 1000, i % 100, (i % 3) ? "true" : "false",
                  i % 50, i % 70, i % 5, i % 6, i % 7);
    s += buf;
    for (int t = 0; t < tags; ++t) {
      std::snprintf(buf, sizeof buf, "%s\"tag%d\"", t ? ", " : "", (i + t) % 9);
      s += buf;
    }
    s += (i + 1 < records) ? "]},\n" : "]}\n";
  }
  s += "], \"end\": {\"ok\": true, \"nested\": [[[[1, 2], [3]], []], {}]}}\n";
  return s;
}

// -------------------------------------------------------------------- lexer
enum class tok { lbrace, rbrace, lbracket, rbracket, colon, comma, string,
                 number, true_, false_, null, end };

struct token {
  tok kind;
  std::string_view text; // raw text (numbers, literals)
  std::string value;     // decoded string contents
  int line;
};

[[noreturn]] static void syntax_error(const char *what, int line) {
  std::fprintf(stderr, "json_events: syntax error at line %d: %s\n", line,
               what);
  std::exit(2);
}

generator<token> lex(std::string_view text) {
  std::size_t pos = 0;
  int line = 1;
  std::string decoded;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\n') {
      ++line;
      ++pos;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos;
      continue;
    }
    switch (c) {
    case '{': ++pos; co_yield token{tok::lbrace, {}, {}, line}; continue;
    case '}': ++pos; co_yield token{tok::rbrace, {}, {}, line}; continue;
    case '[': ++pos; co_yield token{tok::lbracket, {}, {}, line}; continue;
    case ']': ++pos; co_yield token{tok::rbracket, {}, {}, line}; continue;
    case ':': ++pos; co_yield token{tok::colon, {}, {}, line}; continue;
    case ',': ++pos; co_yield token{tok::comma, {}, {}, line}; continue;
    default: break;
    }
    if (c == '"') {
      decoded.clear();
      ++pos;
      while (pos < text.size() && text[pos] != '"') {
        char d = text[pos++];
        if (d == '\\' && pos < text.size()) {
          char e = text[pos++];
          switch (e) {
          case 'n': d = '\n'; break;
          case 't': d = '\t'; break;
          case 'r': d = '\r'; break;
          default: d = e; break;
          }
        }
        decoded += d;
      }
      if (pos >= text.size())
        syntax_error("unterminated string", line);
      ++pos;
      co_yield token{tok::string, {}, decoded, line};
      continue;
    }
    std::size_t start = pos;
    if (c == '-' || (c >= '0' && c <= '9')) {
      ++pos;
      while (pos < text.size() &&
             ((text[pos] >= '0' && text[pos] <= '9') || text[pos] == '.'))
        ++pos;
      co_yield token{tok::number, text.substr(start, pos - start), {}, line};
      continue;
    }
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z')
      ++pos;
    std::string_view word = text.substr(start, pos - start);
    if (word == "true")
      co_yield token{tok::true_, word, {}, line};
    else if (word == "false")
      co_yield token{tok::false_, word, {}, line};
    else if (word == "null")
      co_yield token{tok::null, word, {}, line};
    else
      syntax_error("unexpected character", line);
  }
  co_yield token{tok::end, {}, {}, line};
}

// A one-token look-ahead over the lexer.
class token_stream {
public:
  explicit token_stream(generator<token> &g) : it_(g.begin()) {}
  const token &peek() const { return *it_; }
  token take() {
    token t = *it_;
    ++it_;
    return t;
  }
  void expect(tok k, const char *what) {
    if (peek().kind != k)
      syntax_error(what, peek().line);
    ++it_;
  }

private:
  generator<token>::iterator it_;
};

// ------------------------------------------------------------------- parser
enum class ev { begin_object, end_object, begin_array, end_array, key,
                string, number, boolean, null };

struct event {
  ev kind;
  std::string text; // key, string, or number text
  bool flag = false;
};

generator<event> parse_value(token_stream &ts, int depth) {
  if (depth > 64)
    syntax_error("nested too deeply", ts.peek().line);
  token t = ts.take();
  switch (t.kind) {
  case tok::lbrace: {
    co_yield event{ev::begin_object, {}};
    bool first = true;
    while (ts.peek().kind != tok::rbrace) {
      if (!first)
        ts.expect(tok::comma, "expected ','");
      first = false;
      token key = ts.take();
      if (key.kind != tok::string)
        syntax_error("expected a key", key.line);
      ts.expect(tok::colon, "expected ':'");
      co_yield event{ev::key, key.value};
      for (const event &e : parse_value(ts, depth + 1))
        co_yield e;
    }
    ts.take();
    co_yield event{ev::end_object, {}};
    break;
  }
  case tok::lbracket: {
    co_yield event{ev::begin_array, {}};
    bool first = true;
    while (ts.peek().kind != tok::rbracket) {
      if (!first)
        ts.expect(tok::comma, "expected ','");
      first = false;
      for (const event &e : parse_value(ts, depth + 1))
        co_yield e;
    }
    ts.take();
    co_yield event{ev::end_array, {}};
    break;
  }
  case tok::string: co_yield event{ev::string, t.value}; break;
  case tok::number: co_yield event{ev::number, std::string(t.text)}; break;
  case tok::true_: co_yield event{ev::boolean, {}, true}; break;
  case tok::false_: co_yield event{ev::boolean, {}, false}; break;
  case tok::null: co_yield event{ev::null, {}}; break;
  default: syntax_error("expected a value", t.line);
  }
}

// ----------------------------------------------------------------- flatten
struct record {
  std::string path;
  std::string value;
};

generator<record> flatten(generator<event> events) {
  std::vector<std::string> path;
  std::vector<long> index; // -1 in objects, element number in arrays
  auto join = [&] {
    std::string s;
    for (const auto &p : path) {
      s += '/';
      s += p;
    }
    return s;
  };
  auto element = [&] {
    if (!index.empty() && index.back() >= 0)
      path.back() = std::to_string(index.back()++);
  };
  for (const event &e : events) {
    switch (e.kind) {
    case ev::begin_object:
    case ev::begin_array:
      element();
      index.push_back(e.kind == ev::begin_array ? 0 : -1);
      path.emplace_back();
      break;
    case ev::end_object:
    case ev::end_array:
      index.pop_back();
      path.pop_back();
      if (!path.empty() && !index.empty() && index.back() < 0)
        path.back().clear();
      break;
    case ev::key:
      path.back() = e.text;
      break;
    case ev::string:
      element();
      co_yield record{join(), "\"" + e.text + "\""};
      break;
    case ev::number:
      element();
      co_yield record{join(), e.text};
      break;
    case ev::boolean:
      element();
      co_yield record{join(), e.flag ? "true" : "false"};
      break;
    case ev::null:
      element();
      co_yield record{join(), "null"};
      break;
    }
  }
}

generator<event> parse_document(std::string_view text) {
  generator<token> tokens = lex(text);
  token_stream ts(tokens);
  for (const event &e : parse_value(ts, 0))
    co_yield e;
  if (ts.peek().kind != tok::end)
    syntax_error("data after the document", ts.peek().line);
}

int main() {
  std::string doc = make_document(2500);
  long records = 0, numbers = 0, strings = 0, longest_path = 0;
  long long cents = 0;
  bench::checksum sum;
  for (const record &r : flatten(parse_document(doc))) {
    ++records;
    sum.add_bytes(r.path.data(), r.path.size());
    sum.add_bytes(r.value.data(), r.value.size());
    if (static_cast<long>(r.path.size()) > longest_path)
      longest_path = static_cast<long>(r.path.size());
    if (!r.value.empty() && r.value[0] == '"')
      ++strings;
    else if (!r.value.empty() && (r.value[0] == '-' || (r.value[0] >= '0' &&
                                                        r.value[0] <= '9'))) {
      ++numbers;
      if (r.path.size() > 6 && r.path.compare(r.path.size() - 6, 6, "/price") == 0) {
        std::size_t dot = r.value.find('.');
        cents += std::atol(r.value.c_str()) * 100 +
                 (dot == std::string::npos ? 0 : std::atol(r.value.c_str() + dot + 1));
      }
    }
  }
  std::printf("json_events: %zu bytes, %ld records (%ld numbers, %ld strings)\n",
              doc.size(), records, numbers, strings);
  std::printf("json_events: longest path %ld, total price %lld.%02lld\n",
              longest_path, cents / 100, cents % 100);
  std::printf("json_events: checksum %016llx\n", sum.value());
}
