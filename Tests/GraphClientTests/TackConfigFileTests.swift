import Foundation
import GraphClient
import Testing

@Suite struct TackConfigFileTests {
  @Test func configFileKeysAreLenient() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/config.json"
    try Data(#"{"client_id":"abc","Tenant":"consumers","cloud":"usgov"}"#.utf8).write(
      to: URL(fileURLWithPath: path))
    let config = try TackConfigFile.load(path: path)
    #expect(config.clientID == "abc" && config.tenant == "consumers" && config.cloud == "usgov")
    #expect(try TackConfigFile.load(path: directory.path + "/missing.json") == TackConfigFile())
  }
}
