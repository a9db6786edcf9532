-- POST /oauth2/token with HTTP Basic client authentication (env INTAKE_BASIC = base64(id:secret)).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("INTAKE_BASIC")
