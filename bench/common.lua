-- Shared by the wrk scripts: the API key header and a one-line, machine-readable summary.
local M = {}

-- The key comes from the environment so it never appears on a command line.
function M.auth()
  local key = os.getenv("RAMPART_KEY")
  if key == nil or key == "" then
    error("RAMPART_KEY is not set")
  end
  wrk.headers["X-Api-Key"] = key
end

-- Called from each script's done(): one "BENCH k=v ..." line that http.sh parses.
-- wrk counts any status >= 400 in errors.status; socket errors are the other four.
function M.summary(summary, latency)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f status_errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- Gives each wrk thread a distinct number (global `tid` in the thread's Lua state).
local next_tid = 0
function M.setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function M.seed_random()
  math.randomseed(os.time() * 1000 + (tid or 0))
  for _ = 1, 10 do math.random() end
end

return M
