-- inquiry.lua - wrk script: a support agent logs a phone inquiry (POST
-- /kundesenter/henvendelser) again and again, anonymous, answered, five
-- minutes long, each a durable commit with its audit record.
--
-- The session cookie and the desk's csrf token come from a login that
-- bench/support.sh does first with curl (STIPEND_COOKIE, STIPEND_CSRF,
-- STIPEND_START: the start "YYYY-MM-DDTHH:MM", STIPEND_END). An inquiry
-- counts only when the server answers 303 to the desk. done() prints:
--
--   inquiry.lua: ok=N errors=N first_error=STATUS

local cookie = os.getenv("STIPEND_COOKIE") or ""
local csrf = os.getenv("STIPEND_CSRF") or ""
local start = os.getenv("STIPEND_START") or ""
local stop = os.getenv("STIPEND_END") or ""

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

wrk.method = "POST"
wrk.body = "csrf=" .. urlencode(csrf) .. "&agency=lanekassen&channel=phone&topic=payout&service=application" ..
  "&outcome=answered&start=" .. urlencode(start) .. "&end=" .. urlencode(stop)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = cookie

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

ok = 0
errors = 0
first_error = 0

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status == 303 and location:find("/kundesenter", 1, true) then
    ok = ok + 1
  else
    errors = errors + 1
    if first_error == 0 then first_error = status end
  end
end

function done(summary, latency, requests)
  local o, e, f = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    e = e + t:get("errors")
    local fe = t:get("first_error")
    if f == 0 and fe ~= 0 then f = fe end
  end
  io.write(string.format("inquiry.lua: ok=%d errors=%d first_error=%d\n", o, e, f))
end
