import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

@Suite struct IdentityTests {
  func deviceCode(_ emulator: InProcessEmulator, scope: String = "Tasks.ReadWrite offline_access")
    async throws
    -> [String: Any]
  {
    let reply = try await emulator.send(
      "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/devicecode",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: RawHTTP.form(["client_id": "client-1", "scope": scope]))
    #expect(reply.status == 200)
    return reply.json
  }

  func poll(_ emulator: InProcessEmulator, _ code: String) async throws -> InProcessEmulator.Reply {
    try await emulator.send(
      "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/token",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: RawHTTP.form([
        "client_id": "client-1", "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": code,
      ]))
  }

  func oauthError(_ reply: InProcessEmulator.Reply) -> String? { reply.json["error"] as? String }

  @Test func deviceCodeFlowPendingSlowDownThenApproved() async throws {
    try await withHandler({
      $0.token = nil
      $0.faults = try FaultPlan(specs: ["token#2=oauth:error=slow_down"])
    }) { emulator in
      let start = try await deviceCode(emulator)
      let code = try #require(start["device_code"] as? String)
      let userCode = try #require(start["user_code"] as? String)
      #expect(start["interval"] as? Int == 5)
      #expect(start["expires_in"] as? Int == 900)
      #expect(start["verification_uri"] is String)
      #expect(start["verification_uri_complete"] == nil)
      let first = try await poll(emulator, code)
      #expect(first.status == 400)
      #expect(oauthError(first) == "authorization_pending")
      #expect((first.json["error_codes"] as? [Int])?.first == 70016)
      #expect(oauthError(try await poll(emulator, code)) == "slow_down")
      await emulator.store.approveDeviceCode(userCode: userCode)
      let done = try await poll(emulator, code)
      #expect(done.status == 200)
      #expect(done.json["token_type"] as? String == "Bearer")
      let access = try #require(done.json["access_token"] as? String)
      #expect(done.json["refresh_token"] is String)
      let lists = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists",
        headers: [("Authorization", "Bearer \(access)")])
      #expect(lists.status == 200)
      #expect(oauthError(try await poll(emulator, code)) == "bad_verification_code")
    }
  }

  @Test func declinedAndExpiredCodesStop() async throws {
    try await withHandler({
      $0.token = nil
      $0.deviceCodeLifetime = .zero
    }) { emulator in
      let expired = try await deviceCode(emulator)
      #expect(
        oauthError(try await poll(emulator, expired["device_code"] as? String ?? ""))
          == "expired_token")
    }
    try await withHandler({ $0.token = nil }) { emulator in
      let start = try await deviceCode(emulator)
      await emulator.store.declineDeviceCode(userCode: start["user_code"] as? String ?? "")
      #expect(
        oauthError(try await poll(emulator, start["device_code"] as? String ?? ""))
          == "authorization_declined")
      #expect(oauthError(try await poll(emulator, "made-up")) == "bad_verification_code")
    }
  }

  @Test func autoApproveAfterPolls() async throws {
    try await withHandler({
      $0.token = nil
      $0.autoApproveAfterPolls = 2
    }) { emulator in
      let code = try await deviceCode(emulator)["device_code"] as? String ?? ""
      #expect(oauthError(try await poll(emulator, code)) == "authorization_pending")
      #expect(oauthError(try await poll(emulator, code)) == "authorization_pending")
      #expect(try await poll(emulator, code).status == 200)
    }
  }

  @Test func approvalHookNeedsTheRunsSecret() async throws {
    try await withHandler({
      $0.token = nil
      $0.hookSecret = "s3cret"
    }) { emulator in
      let start = try await deviceCode(emulator)
      let hook =
        emulator.loginBaseURL
        + "/_emulator/device/approve?user_code=\(start["user_code"] as? String ?? "")"
      #expect(try await emulator.send("POST", hook).status == 404)
      #expect(try await emulator.send("POST", hook + "&secret=guess").status == 403)
      #expect(
        oauthError(try await poll(emulator, start["device_code"] as? String ?? ""))
          == "authorization_pending")
      let approved = try await emulator.send(
        "POST", hook, headers: [("X-Emulator-Secret", "s3cret")])
      #expect(approved.status == 204)
      #expect(try await poll(emulator, start["device_code"] as? String ?? "").status == 200)
    }
  }

  @Test func everyRunHasItsOwnSecret() {
    let first = EmulatorOptions().hookSecret
    let second = EmulatorOptions().hookSecret
    #expect(first.count == 32)
    #expect(first != second)
  }

  @Test func refreshRotatesTokensAndRejectsUnknownOnes() async throws {
    try await withHandler({
      $0.token = nil
      $0.revokeUsedRefreshTokens = true
    }) { emulator in
      let pair = await emulator.store.issueToken()
      func refresh(_ token: String) async throws -> InProcessEmulator.Reply {
        try await emulator.send(
          "POST", emulator.loginBaseURL + "/consumers/oauth2/v2.0/token",
          headers: [("Content-Type", "application/x-www-form-urlencoded")],
          body: RawHTTP.form([
            "client_id": "c", "grant_type": "refresh_token", "refresh_token": token,
            "scope": "Tasks.ReadWrite offline_access",
          ]))
      }
      let first = try await refresh(pair.refresh)
      #expect(first.status == 200)
      let rotated = try #require(first.json["refresh_token"] as? String)
      #expect(rotated != pair.refresh)
      #expect(oauthError(try await refresh(pair.refresh)) == "invalid_grant")
      #expect(try await refresh(rotated).status == 200)
    }
  }

  @Test func issuedTokensExpire() async throws {
    try await withHandler({ $0.token = nil }) { emulator in
      let pair = await emulator.store.issueToken()
      let auth = ("Authorization", "Bearer \(pair.access)")
      #expect(
        try await emulator.send("GET", emulator.graphBaseURL + "/me/todo/lists", headers: [auth])
          .status == 200)
      await emulator.store.expireAccessTokens()
      let after = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists", headers: [auth])
      #expect(after.status == 401)
      #expect(after.errorCode == "InvalidAuthenticationToken")
    }
  }

  @Test func publicClientsMustNotSendASecret() async throws {
    try await withHandler({ $0.token = nil }) { emulator in
      let reply = try await emulator.send(
        "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/devicecode",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: RawHTTP.form(["client_id": "c", "scope": "Tasks.ReadWrite", "client_secret": "s"]))
      #expect(oauthError(reply) == "invalid_client")
    }
  }
}
