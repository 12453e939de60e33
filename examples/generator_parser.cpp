// generator_parser.cpp - a small tokenizer and calculator built on generators.
//
// Frame-layout situation: a pipeline of lazy generators, each suspended at a
// co_yield between pulls from the next stage:
//   lines()    splits the program text into lines (a position and a
//              std::string_view live across every co_yield),
//   tokenize() turns a line into tokens; its scanning state -- position,
//              the token being built (a std::string), a line number -- lives
//              across each co_yield, and the yielded token is a temporary
//              that the consumer reads straight out of the suspended frame,
//   statements() groups tokens into statements, holding a std::vector of
//              tokens across its co_yields.
// A recursive-descent parser consumes the statements and evaluates them. Each
// generator frame mixes small scalars, strings and containers whose lifetimes
// differ between the suspension points inside loops and branches.
//
// Build and run (from the repository root):
//   clang++ -std=c++20 -O2 -I test/Inputs examples/generator_parser.cpp
//   ./a.out
// With the plugin and its frame report:
//   ... -fpass-plugin=build/lib/libCoroFrameOpt.so -Rpass-analysis=coro-frame
#include "corolib/corolib.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using corolib::generator;

struct token {
  enum kind_t { number, name, op, end_of_statement } kind;
  std::string text; // name or operator spelling
  long value = 0;   // for numbers
  int line = 0;
};

// Stage 1: the program text, one line at a time.
generator<std::string_view> lines(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos)
      nl = text.size();
    co_yield text.substr(pos, nl - pos);
    pos = nl + 1;
  }
}

// Stage 2: tokens of every line. '#' starts a comment; ';' ends a statement.
generator<token> tokenize(std::string_view text) {
  int line_no = 0;
  for (std::string_view line : lines(text)) {
    ++line_no;
    std::size_t i = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == '#')
        break;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        long v = 0;
        while (i < line.size() &&
               std::isdigit(static_cast<unsigned char>(line[i])))
          v = v * 10 + (line[i++] - '0');
        co_yield token{token::number, "", v, line_no};
      } else if (std::isalpha(static_cast<unsigned char>(c))) {
        std::string word;
        while (i < line.size() &&
               std::isalnum(static_cast<unsigned char>(line[i])))
          word += line[i++];
        co_yield token{token::name, word, 0, line_no};
      } else if (c == ';') {
        ++i;
        co_yield token{token::end_of_statement, ";", 0, line_no};
      } else {
        ++i;
        co_yield token{token::op, std::string(1, c), 0, line_no};
      }
    }
  }
}

// Stage 3: statements as token lists.
generator<std::vector<token>> statements(std::string_view text) {
  std::vector<token> current;
  for (const token &t : tokenize(text)) {
    if (t.kind == token::end_of_statement) {
      co_yield current;
      current.clear();
    } else {
      current.push_back(t);
    }
  }
  if (!current.empty())
    co_yield current;
}

// A recursive-descent evaluator over one statement:
//   stmt   := 'let' name '=' expr | 'print' expr
//   expr   := term (('+' | '-') term)*
//   term   := unary (('*' | '/' | '%') unary)*
//   unary  := '-' unary | primary
//   primary:= number | name | '(' expr ')'
class evaluator {
public:
  void run(const std::vector<token> &stmt) {
    toks_ = &stmt;
    pos_ = 0;
    end_ = token{token::end_of_statement, "<end>", 0,
                 stmt.empty() ? 0 : stmt.back().line};
    const token &first = next();
    if (first.kind == token::name && first.text == "let") {
      const token &var = next();
      if (var.kind != token::name)
        fail("expected a name after 'let'", var);
      expect("=");
      long v = expr();
      vars_[var.text] = v;
    } else if (first.kind == token::name && first.text == "print") {
      long v = expr();
      std::printf("line %d: %ld\n", first.line, v);
    } else {
      fail("expected 'let' or 'print'", first);
    }
    if (pos_ != toks_->size())
      fail("unexpected token", (*toks_)[pos_]);
  }

private:
  const token &peek() const {
    return pos_ < toks_->size() ? (*toks_)[pos_] : end_;
  }
  const token &next() {
    const token &t = peek();
    if (pos_ < toks_->size())
      ++pos_;
    return t;
  }
  bool accept(const char *op) {
    if (peek().kind == token::op && peek().text == op) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(const char *op) {
    if (!accept(op))
      fail(std::string("expected '") + op + "'", peek());
  }
  [[noreturn]] void fail(const std::string &why, const token &at) const {
    throw std::runtime_error(
        "line " + std::to_string(at.line) + ": " + why + " at '" +
        (at.kind == token::number ? std::to_string(at.value) : at.text) + "'");
  }

  long expr() {
    long v = term();
    for (;;) {
      if (accept("+"))
        v += term();
      else if (accept("-"))
        v -= term();
      else
        return v;
    }
  }
  long term() {
    long v = unary();
    for (;;) {
      if (accept("*")) {
        v *= unary();
      } else if (peek().kind == token::op &&
                 (peek().text == "/" || peek().text == "%")) {
        bool is_mod = next().text == "%";
        const token &at = peek();
        long d = unary();
        if (d == 0)
          fail("division by zero", at);
        v = is_mod ? v % d : v / d;
      } else {
        return v;
      }
    }
  }
  long unary() { return accept("-") ? -unary() : primary(); }
  long primary() {
    const token &t = next();
    if (t.kind == token::number)
      return t.value;
    if (t.kind == token::name) {
      auto it = vars_.find(t.text);
      if (it == vars_.end())
        fail("unknown variable", t);
      return it->second;
    }
    if (t.kind == token::op && t.text == "(") {
      long v = expr();
      expect(")");
      return v;
    }
    fail("expected a value", t);
  }

  const std::vector<token> *toks_ = nullptr;
  std::size_t pos_ = 0;
  token end_{token::end_of_statement, "<end>", 0, 0}; // past the last token
  std::map<std::string, long> vars_;
};

static const char program[] = R"(# a tiny calculator program
let x = 3 + 4 * 2;
let y = (x - 1) * (x + 1);   # 120
print x; print y;
print y / x % 7;
let big = 123456789 * 1000;
print -big + 7;
let fib1 = 1; let fib2 = 1;
let fib3 = fib1 + fib2; let fib4 = fib2 + fib3; let fib5 = fib3 + fib4;
print fib5 * 100 + fib4 * 10 + fib3;
print (x + y) / (y - 120);
print z;
print 1 +;
print ((((7))))
)";

int main() {
  evaluator ev;
  int count = 0, errors = 0;
  for (const std::vector<token> &stmt : statements(program)) {
    ++count;
    try {
      ev.run(stmt);
    } catch (const std::runtime_error &e) {
      ++errors;
      std::printf("error: %s\n", e.what());
    }
  }
  std::printf("%d statements, %d errors\n", count, errors);
}
