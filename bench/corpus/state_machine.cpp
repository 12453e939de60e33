// state_machine.cpp - a mail-server session as a coroutine state machine.
//
// smtp_session() is a loop around a switch over the protocol state; nearly
// every arm co_awaits something -- reading a command line, writing a reply,
// or a helper task (a mailbox lookup, a spam check, storing a message) that
// itself suspends on the executor. Each arm has its own locals (strings,
// small structs, counters) that live across its own co_awaits only. Three
// hundred scripted sessions (clients that behave well, make mistakes, reset,
// or quit early) run interleaved on a manual executor; the transcript of
// every session is folded into a checksum.
//
// Frame-layout situation: many co_await sites in different switch arms whose
// live values never coexist, plus callee frames that the optimizer may elide
// into the session's frame at -O2 (one per awaited helper call site).
#include "corolib/corolib.h"
#include "bench_coro.h"

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

using corolib::manual_executor;
using corolib::task;

// A scripted connection: the client's lines are known in advance; replies
// are hashed into the transcript. Reads sometimes have to wait.
struct connection {
  manual_executor &ex;
  std::deque<std::string> script;
  bench::checksum transcript;
  unsigned reads = 0;
  int replies = 0;

  task<std::string> read_line() {
    if (++reads % 3 == 0)
      co_await ex.schedule(); // no data yet
    if (script.empty())
      co_return std::string("QUIT");
    std::string line = std::move(script.front());
    script.pop_front();
    transcript.add_bytes(line.data(), line.size());
    co_return line;
  }
  task<void> reply(int code, std::string text) {
    std::string line = std::to_string(code) + " " + text;
    transcript.add_bytes(line.data(), line.size());
    ++replies;
    if (line.size() > 40)
      co_await ex.schedule(); // "socket buffer full"
  }
};

static bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

task<bool> mailbox_exists(manual_executor &ex, std::string address) {
  co_await ex.schedule(); // directory lookup
  std::size_t at = address.find('@');
  co_return at != std::string::npos && at > 1 && address.size() - at > 3 &&
      address[0] != 'x';
}

task<int> spam_score(manual_executor &ex, std::vector<std::string> body) {
  int score = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i].find("FREE") != std::string::npos)
      score += 5;
    if (body[i].find("!!!") != std::string::npos)
      score += 3;
    if (i % 4 == 3)
      co_await ex.schedule(); // the filter is slow
  }
  co_return score;
}

task<std::uint64_t> store_message(manual_executor &ex, std::string from,
                                  std::vector<std::string> to,
                                  std::vector<std::string> body) {
  bench::checksum id;
  id.add_bytes(from.data(), from.size());
  for (const auto &t : to) {
    co_await ex.schedule(); // one write per recipient
    id.add_bytes(t.data(), t.size());
  }
  for (const auto &b : body)
    id.add(b.size());
  co_return id.value();
}

enum class state { greet, helo, auth, mail, rcpt, data, body, check, store,
                   noop, reset, quit, done };

struct session_result {
  int messages = 0, rejected = 0, errors = 0;
  std::uint64_t ids = 0;
};

task<session_result> smtp_session(manual_executor &ex, connection &c) {
  session_result res;
  state s = state::greet;
  std::string peer, from;
  std::vector<std::string> rcpts, body;
  int spam = 0;
  while (s != state::done) {
    switch (s) {
    case state::greet: {
      std::string banner = "mx.example.test ESMTP coro-bench";
      co_await c.reply(220, banner);
      s = state::helo;
      break;
    }
    case state::helo: {
      std::string line = co_await c.read_line();
      if (starts_with(line, "HELO ") || starts_with(line, "EHLO ")) {
        peer = line.substr(5);
        co_await c.reply(250, "hello " + peer);
        s = state::auth;
      } else if (line == "QUIT") {
        s = state::quit;
      } else {
        ++res.errors;
        co_await c.reply(503, "say hello first");
      }
      break;
    }
    case state::auth: {
      std::string line = co_await c.read_line();
      if (starts_with(line, "AUTH ")) {
        std::string user = line.substr(5, line.find(' ', 5) - 5);
        std::string pass = line.substr(line.find(' ', 5) + 1);
        bool ok = pass.size() >= 4 && pass[0] != '0';
        co_await c.reply(ok ? 235 : 535, ok ? "welcome " + user : "no");
        if (!ok)
          ++res.errors;
        s = ok ? state::mail : state::auth;
      } else if (line == "QUIT") {
        s = state::quit;
      } else {
        ++res.errors;
        co_await c.reply(530, "authentication required");
      }
      break;
    }
    case state::mail: {
      std::string line = co_await c.read_line();
      if (starts_with(line, "MAIL FROM:")) {
        from = line.substr(10);
        rcpts.clear();
        body.clear();
        co_await c.reply(250, "sender " + from + " ok");
        s = state::rcpt;
      } else if (line == "NOOP") {
        s = state::noop;
      } else if (line == "QUIT") {
        s = state::quit;
      } else {
        ++res.errors;
        co_await c.reply(500, "unknown command");
      }
      break;
    }
    case state::rcpt: {
      std::string line = co_await c.read_line();
      if (starts_with(line, "RCPT TO:")) {
        std::string to = line.substr(8);
        bool exists = co_await mailbox_exists(ex, to);
        if (exists) {
          rcpts.push_back(to);
          co_await c.reply(250, "recipient ok");
        } else {
          ++res.rejected;
          co_await c.reply(550, "no such user " + to);
        }
      } else if (line == "DATA" && !rcpts.empty()) {
        s = state::data;
      } else if (line == "RSET") {
        s = state::reset;
      } else if (line == "QUIT") {
        s = state::quit;
      } else {
        ++res.errors;
        co_await c.reply(503, "need RCPT first");
      }
      break;
    }
    case state::data: {
      char hint[64];
      std::snprintf(hint, sizeof hint, "end with <CRLF>.<CRLF> (%zu rcpts)",
                    rcpts.size());
      co_await c.reply(354, hint);
      s = state::body;
      break;
    }
    case state::body: {
      std::string line = co_await c.read_line();
      if (line == ".")
        s = state::check;
      else
        body.push_back(std::move(line));
      break;
    }
    case state::check: {
      spam = co_await spam_score(ex, body);
      if (spam >= 8) {
        ++res.rejected;
        co_await c.reply(554, "looks like spam (" + std::to_string(spam) + ")");
        s = state::mail;
      } else {
        s = state::store;
      }
      break;
    }
    case state::store: {
      std::uint64_t id = co_await store_message(ex, from, rcpts, body);
      res.ids ^= id;
      ++res.messages;
      char text[48];
      std::snprintf(text, sizeof text, "queued as %016llx",
                    static_cast<unsigned long long>(id));
      co_await c.reply(250, text);
      s = state::mail;
      break;
    }
    case state::noop: {
      co_await c.reply(250, "ok");
      s = state::mail;
      break;
    }
    case state::reset: {
      rcpts.clear();
      body.clear();
      co_await c.reply(250, "reset");
      s = state::mail;
      break;
    }
    case state::quit: {
      co_await c.reply(221, "bye " + peer);
      s = state::done;
      break;
    }
    case state::done:
      break;
    }
  }
  co_return res;
}

static std::deque<std::string> make_script(int id) {
  std::deque<std::string> s;
  int kind = id % 5;
  if (kind == 1)
    s.push_back("MAIL FROM:<early@test>"); // before HELO: an error
  s.push_back("EHLO client" + std::to_string(id) + ".test");
  s.push_back(kind == 2 ? "AUTH user 0bad" : "AUTH user" + std::to_string(id) + " secret");
  if (kind == 2)
    s.push_back("AUTH user secret2");
  int messages = 1 + id % 4;
  for (int m = 0; m < messages; ++m) {
    s.push_back("MAIL FROM:<user" + std::to_string(id) + "@test>");
    int rcpts = 1 + (id + m) % 3;
    for (int r = 0; r < rcpts; ++r)
      s.push_back("RCPT TO:<" + std::string(r == 2 ? "x" : "") + "rcpt" +
                  std::to_string(r) + "@dest.test>");
    if (kind == 3 && m == 0) {
      s.push_back("RSET");
      s.push_back("NOOP");
      continue;
    }
    s.push_back("DATA");
    int lines = 2 + (id * 7 + m) % 9;
    for (int l = 0; l < lines; ++l)
      s.push_back((id + l) % 11 == 0 ? "FREE money!!! FREE" :
                  "line " + std::to_string(l) + " of message " + std::to_string(m));
    s.push_back(".");
  }
  if (kind != 4)
    s.push_back("QUIT"); // kind 4 just hangs up (the script runs dry)
  return s;
}

task<session_result> run_session(manual_executor &ex, connection &c) {
  co_await ex.schedule(); // accepted later
  co_return co_await smtp_session(ex, c);
}

int main() {
  constexpr int kSessions = 300;
  manual_executor ex;
  std::deque<connection> conns;
  std::vector<task<session_result>> sessions;
  for (int i = 0; i < kSessions; ++i) {
    conns.push_back(connection{ex, make_script(i), {}});
    sessions.push_back(run_session(ex, conns.back()));
  }
  std::vector<session_result> results =
      corolib::sync_wait(ex, bench::when_all(std::move(sessions)));
  session_result total;
  bench::checksum sum;
  int replies = 0;
  for (int i = 0; i < kSessions; ++i) {
    total.messages += results[i].messages;
    total.rejected += results[i].rejected;
    total.errors += results[i].errors;
    sum.add(results[i].ids);
    sum.add(conns[i].transcript.value());
    replies += conns[i].replies;
  }
  std::printf("state_machine: %d sessions, %d messages stored, %d rejected, "
              "%d errors, %d replies\n",
              kSessions, total.messages, total.rejected, total.errors, replies);
  std::printf("state_machine: checksum %016llx\n", sum.value());
}
