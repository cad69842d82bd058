import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// The emulator's second user: signed in through the approval hook's `user` parameter, named
/// by the id_token, with lists of their own that the first user's token cannot reach.
@Suite struct MultiUserTests {
  let identity = IdentityTests()

  /// Signs `user` in through the hook (nil: no `user` parameter) and returns the token answer.
  func signIn(_ emulator: InProcessEmulator, user: String?, scope: String) async throws
    -> InProcessEmulator.Reply
  {
    let start = try await identity.deviceCode(emulator, scope: scope)
    var hook =
      emulator.loginBaseURL
      + "/_emulator/device/approve?secret=s3cret&user_code=\(start["user_code"] as? String ?? "")"
    if let user { hook += "&user=\(user)" }
    #expect(try await emulator.send("POST", hook).status == 204)
    return try await identity.poll(emulator, start["device_code"] as? String ?? "")
  }

  func listNames(_ emulator: InProcessEmulator, token: String) async throws -> [String] {
    let reply = try await emulator.send(
      "GET", emulator.graphBaseURL + "/me/todo/lists",
      headers: [("Authorization", "Bearer \(token)")])
    #expect(reply.status == 200)
    return (reply.json["value"] as? [[String: Any]] ?? []).compactMap {
      $0["displayName"] as? String
    }
  }

  @Test func eachUserSignsInWithTheirOwnListsAndIdToken() async throws {
    try await withHandler({
      $0.token = nil
      $0.hookSecret = "s3cret"
    }) { emulator in
      let scope = "Tasks.ReadWrite offline_access openid profile"
      let first = try await signIn(emulator, user: nil, scope: scope)
      let second = try await signIn(emulator, user: "second@tack.invalid", scope: scope)
      #expect(first.status == 200 && second.status == 200)
      let firstID = try #require(first.json["id_token"] as? String)
      let secondID = try #require(second.json["id_token"] as? String)
      #expect(JWTClaims.username(of: firstID) == "demo@tack.invalid")
      #expect(JWTClaims.username(of: secondID) == "second@tack.invalid")
      #expect(JWTClaims.claims(of: secondID)?["aud"]?.stringValue == "client-1")
      let firstLists = try await listNames(
        emulator, token: first.json["access_token"] as? String ?? "")
      let secondLists = try await listNames(
        emulator, token: second.json["access_token"] as? String ?? "")
      #expect(firstLists == (await emulator.store.lists()).map(\.displayName))
      #expect(secondLists == ["Tasks", "Side project 🚲"])
      // A refresh keeps the user.
      let refreshed = try await emulator.send(
        "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/token",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: RawHTTP.form([
          "client_id": "client-1", "grant_type": "refresh_token", "scope": scope,
          "refresh_token": second.json["refresh_token"] as? String ?? "",
        ]))
      let again = try #require(refreshed.json["access_token"] as? String)
      #expect(try await listNames(emulator, token: again) == secondLists)
    }
  }

  @Test func withoutOpenIDThereIsNoIdTokenAndAnUnknownUserIsRefused() async throws {
    try await withHandler({
      $0.token = nil
      $0.hookSecret = "s3cret"
    }) { emulator in
      let plain = try await signIn(emulator, user: nil, scope: "Tasks.ReadWrite offline_access")
      #expect(plain.status == 200)
      #expect(plain.json["id_token"] == nil)
      let start = try await identity.deviceCode(emulator)
      let refused = try await emulator.send(
        "POST",
        emulator.loginBaseURL + "/_emulator/device/approve?secret=s3cret&user=nobody@x.invalid"
          + "&user_code=\(start["user_code"] as? String ?? "")")
      #expect(refused.status == 400)
      #expect(String(decoding: refused.body, as: UTF8.self).contains("second@tack.invalid"))
    }
  }

  @Test func oneUsersTokenCannotReachTheOthersUploadURL() async throws {
    try await withHandler({ $0.token = nil }) { emulator in
      let secondStore = try #require(emulator.store.user("second@tack.invalid"))
      let list = try #require(await secondStore.lists().last)
      let task = try #require(await secondStore.tasks(listID: list.id)?.first)
      let firstToken = await emulator.store.issueToken().access
      let secondToken = await emulator.store.issueToken(
        user: "0c3d2a51-7f0e-4b8e-9a4b-2f9e3c1d5e77"
      )
      .access
      let path =
        "/users/0c3d2a51-7f0e-4b8e-9a4b-2f9e3c1d5e77/todo/lists/"
        + "\(EmulatorFixture.escape(list.id))/tasks/\(EmulatorFixture.escape(task.id))/attachments"
      let asFirst = try await emulator.send(
        "GET", emulator.graphBaseURL + path, headers: [("Authorization", "Bearer \(firstToken)")])
      #expect(asFirst.status == 403)
      let asSecond = try await emulator.send(
        "GET", emulator.graphBaseURL + path, headers: [("Authorization", "Bearer \(secondToken)")])
      #expect(asSecond.status == 200)
      // The first user's `me/…` does not see the second user's list.
      let mine = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists/\(EmulatorFixture.escape(list.id))",
        headers: [("Authorization", "Bearer \(firstToken)")])
      #expect(mine.status == 404)
    }
  }
}
