-- wrk script: mixed API traffic over /ias/v1 and /v1, one request kind after another:
--   GET  /ias/v1/apps?size=50&index=N         GET  /ias/v1/apps/{id}
--   POST /ias/v1/apps (unique name) or         POST /ias/v1/search (APP, CONTAINS)
--     DELETE /ias/v1/apps/{the one created}
--   GET  /v1/applications?size=50              GET  /ias/v1/vulnerabilities?size=50
--   GET  /v1/applications/{id}                 POST /ias/v1/search (VULNERABILITY)
-- Creates and deletes alternate (each thread deletes the apps it created, by the Location
-- of the 201), so the data set stays at the seeded apps: what the server's memory does over
-- a run is then the server's own, not a list that grows with every create.
-- Usage: wrk ... -s mixed.lua URL -- IDS_FILE PAGES NAME_PREFIX
-- Every answer that is not 2xx is counted by status (wrk's own count is only ">= 400"),
-- printed as "MIXED status_NNN=count ..." by done().
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
common.auth()

local ids, pages, prefix, n = {}, 1, "load", 0
-- Ids of the apps this thread created and has not deleted yet (oldest first).
local created = {}
local threads = {}

function setup(thread)
  common.setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1] or error("usage: -- IDS_FILE PAGES NAME_PREFIX"), "r"))
  for line in f:lines() do
    if line ~= "" then table.insert(ids, line) end
  end
  f:close()
  pages = tonumber(args[2]) or 1
  prefix = args[3] or "load"
  common.seed_random()
  bad = {}
end

-- One header set for every request (a table passed to wrk.format would replace it, key
-- included); the API accepts a Content-Type on GET.
wrk.headers["Content-Type"] = "application/json"
local json = nil

function request()
  n = n + 1
  local id = ids[math.random(1, #ids)]
  local k = n % 8
  if k == 0 then
    return wrk.format("GET", string.format("/ias/v1/apps?size=50&index=%d", math.random(0, pages - 1)))
  elseif k == 1 then
    return wrk.format("GET", "/ias/v1/apps/" .. id)
  elseif k == 2 then
    if #created > 0 then
      return wrk.format("DELETE", "/ias/v1/apps/" .. table.remove(created, 1))
    end
    return wrk.format("POST", "/ias/v1/apps", json,
      string.format('{"name": "%s-%d-%d"}', prefix, tid or 0, n))
  elseif k == 3 then
    return wrk.format("POST", "/ias/v1/search?size=20", json,
      '{"type": "APP", "query": "app.name CONTAINS \'seed-app-0000\'"}')
  elseif k == 4 then
    return wrk.format("GET", "/v1/applications?size=50")
  elseif k == 5 then
    return wrk.format("GET", "/ias/v1/vulnerabilities?size=50")
  elseif k == 6 then
    return wrk.format("GET", "/v1/applications/" .. id)
  else
    return wrk.format("POST", "/ias/v1/search?size=20", json,
      '{"type": "VULNERABILITY", "query": "vulnerability.severity = \'HIGH\'"}')
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad[status] = (bad[status] or 0) + 1
  elseif status == 201 then
    local loc = headers["location"] or headers["Location"] or ""
    local id = loc:match("/ias/v1/apps/([0-9a-fA-F-]+)$")
    if id then table.insert(created, id) end
  end
end

function done(summary, latency, requests)
  common.summary(summary, latency)
  local totals = {}
  for _, t in ipairs(threads) do
    local b = t:get("bad")
    if b then
      for s, c in pairs(b) do totals[s] = (totals[s] or 0) + c end
    end
  end
  local parts = {}
  for s, c in pairs(totals) do table.insert(parts, string.format("status_%d=%d", s, c)) end
  table.sort(parts)
  io.write("MIXED " .. table.concat(parts, " ") .. "\n")
end
