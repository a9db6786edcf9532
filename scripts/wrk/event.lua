-- POST /v2/event with a bearer token (env INTAKE_TOKEN); each request a distinct event_id.
-- With INTAKE_IDEMPOTENCY_KEYS=1 each request also carries a distinct Idempotency-Key, as the SDK
-- sends one (the server then also stores the key and the answer, in the event's transaction).
local counter = 0
-- Each thread gets its own tag, set from the main Lua state: the threads' own states would all draw
-- the same math.random value, so two threads would send the same keys (replays, not new events).
-- The process id keeps two wrk processes started in the same second apart (two instances loaded at
-- once on one database would otherwise get each other's keys, and answer replays), and the start
-- time keeps the keys of one run apart from a previous run's on the same server.
local ffi = require("ffi")
ffi.cdef("int getpid(void);")
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", os.time() .. "-" .. ffi.C.getpid() .. "-" .. threads)
end
local with_keys = os.getenv("INTAKE_IDEMPOTENCY_KEYS") == "1"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("INTAKE_TOKEN")

request = function()
  counter = counter + 1
  local body = '{"event_type":"lead","event_name":"signup","source_id":"load-test",'
    .. '"event_id":"' .. thread_tag .. '-' .. counter .. '",'
    .. '"fields":{"email":"someone@example.com","plan":"pro","seats":3},'
    .. '"created_at":"2019-12-02T10:00:00.000Z"}'
  if with_keys then
    wrk.headers["Idempotency-Key"] = thread_tag .. "-" .. counter
  end
  return wrk.format(nil, nil, nil, body)
end
