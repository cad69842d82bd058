import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// Details a reviewer checked against the Graph documentation.
@Suite struct ConformanceTests {
  typealias F = EmulatorFixture

  @Test(arguments: [EmulatorOptions.LocationForm.path, .odataKey])
  func theFinalLocationCanBeFetched(form: EmulatorOptions.LocationForm) async throws {
    try await withHandler({ $0.locationForm = form }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(10)
      let url = try await F.createSession(emulator, ids, name: "loc.txt", size: 10)
      let final = try await F.putChunk(emulator, url, bytes, first: 0, last: 9, total: 10)
      let location = try #require(final.header("Location"))
      let fetched = try await emulator.send("GET", location, headers: [F.auth])
      #expect(fetched.status == 200)
      #expect(Data(base64Encoded: fetched.json["contentBytes"] as? String ?? "") == Data(bytes))
    }
  }

  @Test func segmentsAreCaseInsensitive() async throws {
    try await withHandler { emulator in
      let reply = try await emulator.send(
        "GET", emulator.graphBaseURL + "/Me/Todo/Lists", headers: [F.auth])
      #expect(reply.status == 200)
    }
  }

  @Test func answersNameTheVersionTheRequestUsed() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let beta = emulator.graphBaseURL.replacingOccurrences(of: "/v1.0", with: "/beta")
      let body = #"{"attachmentInfo":{"attachmentType":"file","name":"b","size":5}}"#
      let reply = try await emulator.send(
        "POST",
        "\(beta)/me/todo/lists/\(F.escape(ids.list))/tasks/\(F.escape(ids.task))/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect((reply.json["uploadUrl"] as? String)?.contains("/beta/users/") == true)
    }
  }

  @Test func statusGetUsesTheConfiguredRangeForm() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let url = try await F.createSession(emulator, ids, name: "s", size: 1000)
      _ = try await F.putChunk(emulator, url, F.bytes(1000), first: 0, last: 399, total: 1000)
      let status = try await emulator.send("GET", url, headers: [F.auth])
      #expect(status.json["nextExpectedRanges"] as? [String] == ["400"])
    }
  }

  @Test func filterSubsetAndSelectWithTheOptionsKeptInNextLink() async throws {
    try await withHandler { emulator in
      let big = try #require(await emulator.store.lists().first { $0.displayName == "Big list" })
      let base = "\(emulator.graphBaseURL)/me/todo/lists/\(F.escape(big.id))/tasks"
      let filter =
        "status ne 'completed'".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      var next: String? = "\(base)?$filter=\(filter)&$select=title,status&$top=25"
      var items: [[String: Any]] = []
      while let link = next {
        let page = try await emulator.send("GET", link, headers: [F.auth])
        #expect(page.status == 200)
        items += page.json["value"] as? [[String: Any]] ?? []
        next = page.json["@odata.nextLink"] as? String
        if let next { #expect(next.contains("$filter=")) }
      }
      let expected = await emulator.store.tasks(listID: big.id)?.filter { $0.status != "completed" }
        .count
      #expect(items.count == expected)
      #expect(items.allSatisfy { $0["status"] as? String != "completed" })
      #expect(items.allSatisfy { $0["importance"] == nil && $0["id"] != nil && $0["title"] != nil })
      let contains =
        "contains(title,'#11')".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      let found = try await emulator.send("GET", "\(base)?$filter=\(contains)", headers: [F.auth])
      let titles = (found.json["value"] as? [[String: Any]] ?? []).compactMap {
        $0["title"] as? String
      }
      #expect(titles.contains("Paging item #11"))
      #expect(titles.contains("Paging item #111"))
      #expect(titles.allSatisfy { $0.contains("#11") })
      let bad = "title gt 'a'".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      #expect(
        try await emulator.send("GET", "\(base)?$filter=\(bad)", headers: [F.auth]).status == 400)
    }
  }

  @Test func theVerificationPageSignsACodeIn() async throws {
    try await withHandler({
      $0.token = nil
      $0.hookSecret = "page-secret"
    }) { emulator in
      let start = try await emulator.send(
        "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/devicecode",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: RawHTTP.form(["client_id": "c", "scope": "Tasks.ReadWrite offline_access"]))
      let page = try #require(start.json["verification_uri"] as? String)
      let code = try #require(start.json["user_code"] as? String)
      #expect(try await emulator.send("GET", page).status == 200)
      #expect(await emulator.store.pendingUserCodes() == [code])
      let approved = try await emulator.send(
        "GET", page + "?user_code=\(code)&secret=page-secret")
      #expect(String(decoding: approved.body, as: UTF8.self).contains("Signed in"))
      #expect(await emulator.store.pendingUserCodes().isEmpty)
    }
  }

  @Test func pollingFasterThanTheIntervalGetsSlowDownWhenEnforced() async throws {
    try await withHandler({
      $0.token = nil
      $0.enforcePollInterval = true
    }) { emulator in
      let start = try await emulator.send(
        "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/devicecode",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: RawHTTP.form(["client_id": "c", "scope": "Tasks.ReadWrite"]))
      let code = try #require(start.json["device_code"] as? String)
      func poll() async throws -> String? {
        let reply = try await emulator.send(
          "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/token",
          headers: [("Content-Type", "application/x-www-form-urlencoded")],
          body: RawHTTP.form([
            "client_id": "c", "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": code,
          ]))
        return reply.json["error"] as? String
      }
      #expect(try await poll() == "authorization_pending")
      #expect(try await poll() == "slow_down")
    }
  }

  @Test func refreshAlwaysRotatesTheRefreshToken() async throws {
    try await withHandler({ $0.token = nil }) { emulator in
      let pair = await emulator.store.issueToken()
      let reply = try await emulator.send(
        "POST", emulator.loginBaseURL + "/common/oauth2/v2.0/token",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: RawHTTP.form([
          "client_id": "c", "grant_type": "refresh_token", "refresh_token": pair.refresh,
          "scope": "Tasks.ReadWrite",
        ]))
      #expect(reply.status == 200)
      #expect(reply.json["refresh_token"] is String)
    }
  }
}
