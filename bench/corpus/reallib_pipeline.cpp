// reallib_pipeline.cpp - an HTTP-ish request pipeline on reallib, written the
// way application code on cppcoro / folly::coro tends to look.
//
// Each request goes through four tasks awaited one after another by
// handle(): parse -> validate -> lookup -> render. lookup fans out to two
// storage shards with when_all. Every handler holds a scope::guard on the
// server's in-flight scope across all of its co_awaits and spawns an audit
// task into a second scope; the server joins both before it reports.
// Errors are exceptions thrown across co_awaits and caught in handle():
// malformed requests (400), forbidden paths (403), missing rows (404), a shard
// that fails (502) and cancellation (503): phase one cancels its connections
// part-way through, so the requests still in flight observe it at their next
// co_await. Phase two runs a batch through when_all(vector<task>).
//
// Output: status counts, per-stage counts, a checksum over every response,
// the executor's virtual clock and resume count. All deterministic.
//
// Frame-layout situation: [[clang::coro_await_elidable]] tasks awaited in
// sequence (their frames elided into handle()'s frame at -O2 where clang
// decides to), strings and vectors live across awaits, std::atomic locals
// and RAII guards in frames, try/catch around co_await.
#include "reallib.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rl = reallib;

// ------------------------------------------------------------------ errors
struct http_error : std::runtime_error {
  int status;
  http_error(int s, const std::string &what) : std::runtime_error(what), status(s) {}
};
struct parse_error : http_error {
  explicit parse_error(const std::string &w) : http_error(400, w) {}
};
struct validation_error : http_error {
  validation_error(int s, const std::string &w) : http_error(s, w) {}
};
struct not_found : http_error {
  explicit not_found(std::uint64_t key)
      : http_error(404, "no row " + std::to_string(key)) {}
};
struct shard_unavailable : http_error {
  explicit shard_unavailable(int shard)
      : http_error(502, "shard " + std::to_string(shard) + " unavailable") {}
};

// ------------------------------------------------------------------- model
struct http_request {
  std::string method;
  std::string path;
  std::string version;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  const std::string *header(std::string_view name) const {
    for (const auto &[k, v] : headers)
      if (k == name)
        return &v;
    return nullptr;
  }
  const std::string *param(std::string_view name) const {
    for (const auto &[k, v] : query)
      if (k == name)
        return &v;
    return nullptr;
  }
};

struct primary_row {
  std::uint64_t key;
  std::string name;
  std::string region;
  std::vector<std::uint32_t> items;
};
struct secondary_row {
  std::int64_t balance;
  std::uint32_t flags;
};
struct record {
  primary_row primary;
  std::optional<secondary_row> secondary;
};

struct response {
  std::uint32_t id = 0;
  int status = 0;
  int stage = 0;
  std::string body;
};

struct server_stats {
  std::atomic<std::uint64_t> handled{0};
  std::atomic<std::uint64_t> by_status[6] = {};
  std::atomic<std::uint64_t> stage_reached[5] = {};
  std::atomic<std::uint64_t> body_bytes{0};
  std::atomic<std::uint64_t> audits{0};
};

struct server {
  rl::manual_executor ex;
  std::unordered_map<std::uint64_t, primary_row> shard0;
  std::map<std::uint64_t, secondary_row> shard1;
  server_stats stats;
  rl::scope inflight;  // every handler holds a guard on this
  rl::scope audit_log; // background audit writes
  rl::cancellation_source cancel;
  std::uint64_t audit_hash = 1469598103934665603ULL;
};

static std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

static int status_slot(int status) {
  switch (status) {
  case 200: return 0;
  case 400: return 1;
  case 403: return 2;
  case 404: return 3;
  case 502: return 4;
  default: return 5;
  }
}

// -------------------------------------------------------------- the corpus
static std::uint32_t lcg(std::uint32_t &s) {
  s = s * 1664525u + 1013904223u;
  return s >> 8;
}

static void populate(server &srv) {
  std::uint32_t seed = 12345;
  static const char *const regions[] = {"eu-west", "us-east", "ap-south",
                                        "sa-east"};
  for (std::uint64_t k = 0; k < 600; ++k) {
    if (k % 41 == 7)
      continue; // missing rows
    primary_row row;
    row.key = k;
    row.name = "user-" + std::to_string(k * 7919 % 10007);
    row.region = regions[lcg(seed) % 4];
    std::size_t n = 1 + lcg(seed) % 12;
    for (std::size_t i = 0; i < n; ++i)
      row.items.push_back(lcg(seed) % 100000);
    srv.shard0.emplace(k, std::move(row));
    if (k % 3 != 1)
      srv.shard1.emplace(k, secondary_row{static_cast<std::int64_t>(lcg(seed) % 20000) - 10000,
                                          lcg(seed) & 0xff});
  }
}

static std::string make_raw_request(std::uint32_t i) {
  std::uint32_t s = i * 2654435761u + 17;
  static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  std::string method = methods[lcg(s) % 6];
  std::uint64_t key = lcg(s) % 640;
  std::string path;
  switch (lcg(s) % 8) {
  case 0: path = "/admin/users/" + std::to_string(key); break;
  case 1: path = "/orders/" + std::to_string(key) + "/items"; break;
  default: path = "/users/" + std::to_string(key); break;
  }
  std::string q;
  if (lcg(s) % 3 == 0)
    q = "?fields=name,region,items";
  else if (lcg(s) % 4 == 0)
    q = "?fields=balance&verbose=1";
  std::string raw = method + " " + path + q;
  if (i % 37 != 11)
    raw += " HTTP/1.1";
  raw += "\r\nHost: api.example.test\r\n";
  raw += "X-Request-Id: req-" + std::to_string(i) + "\r\n";
  raw += "User-Agent: bench-client/" + std::to_string(1 + i % 4) + ".0\r\n";
  std::string body;
  if (method == "POST" || method == "PUT") {
    body = "{\"op\":\"update\",\"seq\":" + std::to_string(i) + "}";
    std::size_t declared = body.size() + (i % 29 == 3 ? 1 : 0);
    raw += "Content-Length: " + std::to_string(declared) + "\r\n";
  }
  if (i % 53 == 19)
    raw += "Broken header line\r\n";
  raw += "\r\n";
  raw += body;
  return raw;
}

// ------------------------------------------------------------------ stages
static rl::task<http_request> parse(server &srv, std::string_view raw) {
  http_request req;
  std::size_t eol = raw.find("\r\n");
  if (eol == std::string_view::npos)
    throw parse_error("no request line");
  std::string_view line = raw.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos)
    throw parse_error("bad request line");
  req.method.assign(line.substr(0, sp1));
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  req.version.assign(line.substr(sp2 + 1));
  if (req.version != "HTTP/1.1")
    throw parse_error("bad version");

  // Pretend the headers arrive in a later read.
  co_await srv.ex.schedule();

  std::size_t qpos = target.find('?');
  req.path.assign(target.substr(0, qpos));
  if (qpos != std::string_view::npos) {
    std::string_view qs = target.substr(qpos + 1);
    while (!qs.empty()) {
      std::size_t amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      std::size_t eq = kv.find('=');
      req.query.emplace_back(std::string(kv.substr(0, eq)),
                             eq == std::string_view::npos ? std::string()
                                                          : std::string(kv.substr(eq + 1)));
      if (amp == std::string_view::npos)
        break;
      qs.remove_prefix(amp + 1);
    }
  }

  std::size_t pos = eol + 2;
  for (;;) {
    std::size_t next = raw.find("\r\n", pos);
    if (next == std::string_view::npos)
      throw parse_error("unterminated headers");
    if (next == pos) {
      pos += 2;
      break;
    }
    std::string_view h = raw.substr(pos, next - pos);
    std::size_t colon = h.find(':');
    if (colon == std::string_view::npos)
      throw parse_error("bad header");
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    req.headers.emplace_back(std::string(h.substr(0, colon)), std::string(value));
    pos = next + 2;
  }
  req.body.assign(raw.substr(pos));
  co_return req;
}

static rl::task<void> validate(server &srv, const http_request &req) {
  static const char *const allowed[] = {"GET", "POST", "PUT"};
  bool ok = false;
  for (const char *m : allowed)
    ok = ok || req.method == m;
  if (!ok)
    throw validation_error(403, "method " + req.method + " not allowed");
  if (req.path.rfind("/admin", 0) == 0)
    throw validation_error(403, "forbidden path " + req.path);
  // The length check consults a (pretend) remote policy service.
  std::size_t declared = co_await rl::then(
      rl::async_value<rl::policy::reschedule>(srv.ex, req.header("Content-Length")),
      [](const std::string *v) -> std::size_t {
        return v ? static_cast<std::size_t>(std::stoul(*v)) : 0;
      });
  if (declared != req.body.size())
    throw validation_error(400, "length mismatch");
}

static rl::task<primary_row> fetch_primary(server &srv, std::uint64_t key) {
  co_await srv.ex.sleep_for(1 + key % 3);
  auto it = srv.shard0.find(key);
  if (it == srv.shard0.end())
    throw not_found(key);
  co_return it->second;
}

static rl::task<std::optional<secondary_row>> fetch_secondary(server &srv,
                                                              std::uint64_t key) {
  co_await srv.ex.sleep_for(2);
  if (key % 53 == 5)
    throw shard_unavailable(1);
  auto it = srv.shard1.find(key);
  if (it == srv.shard1.end())
    co_return std::nullopt;
  co_return it->second;
}

static std::uint64_t key_of(const http_request &req) {
  std::size_t slash = req.path.find('/', 1);
  if (slash == std::string::npos)
    throw validation_error(400, "no key");
  std::size_t end = req.path.find('/', slash + 1);
  std::string digits = req.path.substr(slash + 1, end == std::string::npos
                                                      ? std::string::npos
                                                      : end - slash - 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    throw validation_error(400, "bad key");
  return std::stoull(digits);
}

static rl::task<record> lookup(server &srv, const http_request &req) {
  std::uint64_t key = key_of(req);
  auto [primary, secondary] =
      co_await rl::when_all(fetch_primary(srv, key), fetch_secondary(srv, key));
  record r{std::move(primary), std::move(secondary)};
  if (req.path.find("/items") != std::string::npos && r.primary.items.size() > 6) {
    // Large collections page through the executor.
    co_await srv.ex.schedule();
    r.primary.items.resize(6);
  }
  co_return r;
}

static rl::generator<std::pair<std::string_view, std::string>>
fields_of(const record &r) {
  co_yield {"name", r.primary.name};
  co_yield {"region", r.primary.region};
  std::string items = "[";
  for (std::size_t i = 0; i < r.primary.items.size(); ++i) {
    if (i)
      items += ',';
    items += std::to_string(r.primary.items[i]);
  }
  items += ']';
  co_yield {"items", items};
  if (r.secondary) {
    co_yield {"balance", std::to_string(r.secondary->balance)};
    co_yield {"flags", std::to_string(r.secondary->flags)};
  }
}

static rl::task<std::string> render(server &srv, const record &rec,
                                    const http_request &req) {
  std::vector<std::string> wanted;
  if (const std::string *f = req.param("fields")) {
    std::string_view s = *f;
    while (!s.empty()) {
      std::size_t c = s.find(',');
      wanted.emplace_back(s.substr(0, c));
      if (c == std::string_view::npos)
        break;
      s.remove_prefix(c + 1);
    }
  }
  std::string out = "{\"key\":" + std::to_string(rec.primary.key);
  std::size_t n = 0;
  for (auto &&[name, value] : fields_of(rec)) {
    bool want = wanted.empty();
    for (const auto &w : wanted)
      want = want || w == name;
    if (!want)
      continue;
    out += ",\"";
    out += name;
    out += "\":";
    bool quote = !value.empty() && value.front() != '[' &&
                 value.find_first_not_of("-0123456789") != std::string::npos;
    if (quote)
      out += '"';
    out += value;
    if (quote)
      out += '"';
    if (++n % 3 == 0)
      co_await srv.ex.schedule(); // flush a chunk
  }
  if (req.param("verbose"))
    out += ",\"method\":\"" + req.method + "\"";
  out += '}';
  co_return out;
}

static rl::task<void> write_audit(server &srv, std::uint32_t id, int status,
                                  std::string line) {
  co_await srv.ex.sleep_for(1 + id % 4);
  srv.audit_hash = fnv(srv.audit_hash, line);
  srv.audit_hash = fnv(srv.audit_hash, std::to_string(status));
  srv.stats.audits.fetch_add(1, std::memory_order_relaxed);
}

// ----------------------------------------------------------------- handler
static rl::task<response> handle(server &srv, std::uint32_t id, std::string raw) {
  rl::scope::guard inflight(&srv.inflight); // held across every await below
  std::atomic<int> stage{0};
  response r;
  r.id = id;
  try {
    http_request req = co_await parse(srv, raw);
    stage.store(1, std::memory_order_relaxed);
    co_await validate(srv, req);
    stage.store(2, std::memory_order_relaxed);
    record rec = co_await lookup(srv, req);
    stage.store(3, std::memory_order_relaxed);
    r.body = co_await render(srv, rec, req);
    stage.store(4, std::memory_order_relaxed);
    r.status = 200;
  } catch (const rl::operation_cancelled &e) {
    r.status = 503;
    r.body = e.what();
  } catch (const http_error &e) {
    r.status = e.status;
    r.body = e.what();
  }
  r.stage = stage.load(std::memory_order_relaxed);
  srv.stats.handled.fetch_add(1, std::memory_order_relaxed);
  srv.stats.by_status[status_slot(r.status)].fetch_add(1, std::memory_order_relaxed);
  srv.stats.stage_reached[r.stage].fetch_add(1, std::memory_order_relaxed);
  srv.stats.body_bytes.fetch_add(r.body.size(), std::memory_order_relaxed);
  srv.audit_log.spawn(write_audit(srv, id, r.status, "req-" + std::to_string(id)));
  co_return r;
}

// One connection: a handler run under the server's cancellation token.
static rl::task<void> connection(server &srv, std::uint32_t id,
                                 std::vector<response> &out) {
  response r = co_await rl::with_cancellation(srv.cancel.token(),
                                              handle(srv, id, make_raw_request(id)));
  out[id] = std::move(r);
}

static std::uint64_t digest(const std::vector<response> &rs) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const response &r : rs) {
    h = fnv(h, std::to_string(r.id) + ":" + std::to_string(r.status) + ":" +
                   std::to_string(r.stage) + ":");
    h = fnv(h, r.body);
  }
  return h;
}

static rl::task<std::uint64_t> phase_one(server &srv, std::uint32_t n,
                                         std::uint32_t cancel_after) {
  std::vector<response> out(n);
  rl::scope conns;
  std::atomic<std::uint32_t> accepted{0}; // an acceptor-side counter
  for (std::uint32_t i = 0; i < n; ++i) {
    conns.spawn(connection(srv, i, out));
    if (accepted.fetch_add(1, std::memory_order_relaxed) % 4 == 3)
      co_await srv.ex.schedule(); // let accepted connections make progress
    if (i == cancel_after)
      srv.cancel.request_cancellation();
  }
  co_await conns.join();
  co_return digest(out) ^ accepted.load(std::memory_order_relaxed);
}

static rl::task<std::uint64_t> phase_two(server &srv, std::uint32_t first,
                                         std::uint32_t n) {
  std::vector<rl::task<response>> batch;
  for (std::uint32_t i = 0; i < n; ++i)
    batch.push_back(handle(srv, first + i, make_raw_request(first + i)));
  std::vector<response> out = co_await rl::when_all(std::move(batch));
  co_return digest(out);
}

static rl::task<void> run_server(server &srv) {
  std::uint64_t d1 = co_await phase_one(srv, 320, 240);
  srv.cancel.reset();
  std::uint64_t d2 = co_await phase_two(srv, 320, 256);
  co_await srv.inflight.join();
  co_await srv.audit_log.join();
  std::printf("phase1 digest %016llx\n", static_cast<unsigned long long>(d1));
  std::printf("phase2 digest %016llx\n", static_cast<unsigned long long>(d2));
}

int main() {
  int rc = 0;
  {
    server srv;
    populate(srv);
    rl::sync_wait(srv.ex, run_server(srv));
    static const int codes[] = {200, 400, 403, 404, 502, 503};
    std::printf("handled %llu\n",
                static_cast<unsigned long long>(srv.stats.handled.load()));
    for (int i = 0; i < 6; ++i)
      std::printf("status %d: %llu\n", codes[i],
                  static_cast<unsigned long long>(srv.stats.by_status[i].load()));
    for (int i = 0; i < 5; ++i)
      std::printf("stage %d: %llu\n", i,
                  static_cast<unsigned long long>(srv.stats.stage_reached[i].load()));
    std::printf("body bytes %llu\n",
                static_cast<unsigned long long>(srv.stats.body_bytes.load()));
    std::printf("audits %llu hash %016llx\n",
                static_cast<unsigned long long>(srv.stats.audits.load()),
                static_cast<unsigned long long>(srv.audit_hash));
    std::printf("virtual time %llu, resumes %llu, audit errors %zu\n",
                static_cast<unsigned long long>(srv.ex.now()),
                static_cast<unsigned long long>(srv.ex.resumed()),
                srv.audit_log.errors);
    if (!srv.ex.idle())
      rc = 1;
  }
  std::ptrdiff_t leaked = rl::outstanding_frame_bytes();
  std::printf("frame bytes outstanding: %td\n", leaked);
  return rc == 0 && leaked == 0 ? 0 : 1;
}
