-- POST /oauth2/token with HTTP Basic client authentication (env INTAKE_BASIC = base64(id:secret)).
-- With INTAKE_FORWARDED_FOR, each request also says X-Forwarded-For: that address (for a server
-- started with --trusted-proxy 127.0.0.1/32, as if a load balancer sent it).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("INTAKE_BASIC")
local forwarded = os.getenv("INTAKE_FORWARDED_FOR")
if forwarded then
  wrk.headers["X-Forwarded-For"] = forwarded
end
