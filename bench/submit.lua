-- submit.lua - wrk script: submit the higher-education application form of
-- the portal (POST /soknad) again and again as one logged-in person.
--
-- The session cookie and the form's csrf token come from a browser-like login
-- that bench/run.sh does first with curl; they are read from the environment
-- (STIPEND_COOKIE, STIPEND_CSRF, STIPEND_ORIGIN) or from the script's
-- arguments after "--" in that order. A submission counts as done only when
-- the server answers 303 with Location /saker/<id>, its promise that the
-- application was committed and decided; any other answer counts as an error.
-- done() prints one line that run.sh reads:
--
--   submit.lua: ok=N errors=N first_error=STATUS
--
--   wrk -t2 -c32 -d10s --latency -s bench/submit.lua http://127.0.0.1:PORT/soknad
--   STIPEND_PACE_MS=9 wrk ...      (about 3 000 submissions a second from 32 clients)

-- STIPEND_PACE_MS paces each connection: it waits that long after each
-- answer before it sends again (wrk's delay hook), so that the load is a
-- chosen rate instead of all the server can take.
local pace = tonumber(os.getenv("STIPEND_PACE_MS") or "0") or 0
if pace > 0 then
  function delay() return pace end
end

local cookie = os.getenv("STIPEND_COOKIE") or ""
local csrf = os.getenv("STIPEND_CSRF") or ""
local origin = os.getenv("STIPEND_ORIGIN")

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function form()
  return "csrf=" .. urlencode(csrf) ..
    "&lives_with_parents=no&load_percent=100&start=2024-08-15&end=2025-06-15&months_requested=11"
end

wrk.method = "POST"
wrk.body = form()
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = cookie
if origin then wrk.headers["Origin"] = origin end

-- Runs in each thread's own Lua state: the arguments may replace the
-- environment's values.
function init(args)
  if args[1] then cookie = args[1] end
  if args[2] then csrf = args[2] end
  if args[3] then origin = args[3] end
  wrk.body = form()
  wrk.headers["Cookie"] = cookie
  if origin then wrk.headers["Origin"] = origin end
  if cookie == "" or csrf == "" then
    io.stderr:write("submit.lua: no session cookie or csrf token given\n")
  end
end

-- The main state keeps the threads, so that done() can add up their counts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per thread: the counts of good and bad answers, and the first bad status.
ok = 0
errors = 0
first_error = 0

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status == 303 and location:find("/saker/", 1, true) then
    ok = ok + 1
  else
    errors = errors + 1
    if first_error == 0 then first_error = status end
  end
end

function done(summary, latency, requests)
  local n_ok, n_errors, first = 0, 0, 0
  for _, t in ipairs(threads) do
    n_ok = n_ok + t:get("ok")
    n_errors = n_errors + t:get("errors")
    local f = t:get("first_error")
    if first == 0 and f ~= 0 then first = f end
  end
  io.write(string.format("submit.lua: ok=%d errors=%d first_error=%d\n", n_ok, n_errors, first))
end
