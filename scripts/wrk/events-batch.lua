-- POST /v2/events with a bearer token (env INTAKE_TOKEN): each request a batch of INTAKE_BATCH_SIZE
-- events (default 100, as IntakeClient.sendAll sends), each event a distinct event_id, each request
-- an Idempotency-Key as the SDK sends. Count events/s as requests/s times the batch size.
local counter = 0
-- Each thread gets its own tag, set from the main Lua state: the threads' own states would all draw
-- the same math.random value, so two threads would send the same keys (replays, not new events).
-- The start time keeps the keys of one run apart from a previous run's on the same server.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", os.time() .. "-" .. threads)
end
local batch_size = tonumber(os.getenv("INTAKE_BATCH_SIZE") or "100")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("INTAKE_TOKEN")

request = function()
  counter = counter + 1
  local events = {}
  for i = 1, batch_size do
    events[i] = '{"event_type":"lead","event_name":"signup","source_id":"load-test",'
      .. '"event_id":"' .. thread_tag .. '-' .. counter .. '-' .. i .. '",'
      .. '"fields":{"email":"someone@example.com","plan":"pro","seats":3},'
      .. '"created_at":"2019-12-02T10:00:00.000Z"}'
  end
  wrk.headers["Idempotency-Key"] = thread_tag .. "-" .. counter
  return wrk.format(nil, nil, nil, '{"events":[' .. table.concat(events, ",") .. ']}')
end
