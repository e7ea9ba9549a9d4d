import API
import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOCore
import NIOHTTP1
import Projections
import TestPrerequisites
import Testing

/// The ops web page: rendered by a real headless Chromium (Debian's `chromium`, installed by
/// `scripts/test`) from a real server loaded with Gireve's dispute, and its two recorded actions.
@Suite("Ops page", .serialized)
struct OpsPageTests {
    static let operatorName = "alice"
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: ".build/ops-screenshots")

    /// Loads `path` in headless Chromium, logged in as alice; returns the DOM after rendering and
    /// writes a screenshot to `.build/ops-screenshots/<name>.png`.
    static func browse(_ server: ServerHarness, _ path: String, screenshot name: String) async throws -> String {
        try await Prerequisite.chromium.require()
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let url = "http://\(operatorName):\(ServerHarness.opsToken)@127.0.0.1:\(server.port)\(path)"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--window-size=1400,1100"]
        let dom = try await ChildProcess.run("chromium", common + ["--dump-dom", url])
        try #require(dom.status == 0, "chromium failed (scripts/test installs Debian's chromium): \(dom.stderr.suffix(500))")
        _ = try await ChildProcess.run("chromium", common + ["--screenshot=\(screenshots.appending(path: "\(name).png").path())", url])
        return dom.stdout
    }

    /// A parked delivery to the IOP stand-in, as the outbox leaves one after an OCPI error.
    static func park(_ server: ServerHarness, url: String) async throws {
        let metadata = EventMetadata(source: "outbox", correlationId: "SES-5")
        let events = try [
            EventCoding.newEvent(
                DeliveryScheduled(
                    deliveryId: "dlv-parked-1",
                    kind: .sessionPatch,
                    target: "session:SES-9",
                    method: "PATCH",
                    url: url,
                    body: #"{"status":"COMPLETED"}"#,
                    sessionId: "SES-9"
                ),
                metadata: metadata
            ),
            EventCoding.newEvent(
                DeliveryAttempted(deliveryId: "dlv-parked-1", attempt: 1, httpStatus: 200, ocpiStatus: 2001, error: "OCPI 2001"),
                metadata: metadata
            ),
            EventCoding.newEvent(DeliveryParked(deliveryId: "dlv-parked-1", reason: "the IOP refused it: OCPI 2001"), metadata: metadata),
        ]
        _ = try await server.store.append(events, to: "delivery-dlv-parked-1", expectedVersion: .noStream)
    }

    /// A form POST as the page's own buttons send it.
    static func post(
        _ server: ServerHarness,
        _ path: String,
        form: String = "",
        site: String = "same-origin",
        loggedIn: Bool = true,
        as name: String = operatorName,
        authorization: String? = nil
    ) async throws -> (Int, String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(path)")
        request.method = .POST
        let credentials = Data("\(name):\(ServerHarness.opsToken)".utf8).base64EncodedString()
        if loggedIn { request.headers.add(name: "Authorization", value: authorization ?? "Basic \(credentials)") }
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Sec-Fetch-Site", value: site)
        request.body = .bytes(ByteBuffer(string: form))
        // Not following the redirect: where it points says what happened.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            try await client.shutdown()
            return (Int(response.status.code), response.headers["Location"].first)
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test("the dispute's timeline in a real browser: both commands, both sessions, all three CDRs, the five flags, every event")
    func disputeTimelineInBrowser() async throws {
        try await OpsAPITests().withDispute { server in
            let dom = try await Self.browse(server, "/ops/timeline?authorization_id=\(OpsAPITests.a)", screenshot: "dispute-timeline")
            for id in ["cmd-dispute-a", "cmd-dispute-b", "SES-5", "SES-6", "CDR-5", "CDR-5b", "CDR-6"] {
                #expect(dom.contains(id), "\(id) missing from the rendered timeline")
            }
            for kind in [
                "authorization_with_several_cdrs", "authorization_with_several_sessions", "authorization_mismatch",
                "session_with_several_cdrs", "several_authorizations_for_session",
            ] {
                #expect(dom.contains(kind), "\(kind) missing")
            }
            let report = try #require(try await Projections.Audit.report(authorizationId: OpsAPITests.a, store: server.store))
            let timeline = try #require(dom.range(of: #"<table id="timeline">"#)).upperBound
            #expect(dom[timeline...].components(separatedBy: "<tr>").count - 2 == report.timeline.count)  // minus the header row
            #expect(dom.contains("alice"))
        }
    }

    @Test("the home page lists the anomalies and the outbox; search leads to the timelines")
    func homeAndSearchInBrowser() async throws {
        try await OpsAPITests().withDispute { server in
            try await Self.park(server, url: "http://127.0.0.1:9/unreachable")
            let home = try await Self.browse(server, "/ops/", screenshot: "home")
            #expect(home.contains("session_with_several_cdrs") && home.contains("dlv-parked-1") && home.contains("Send again"))
            let search = try await Self.browse(server, "/ops/search?q=APP-7Q2M4K9X", screenshot: "search")
            #expect(search.contains(OpsAPITests.a) && search.contains(OpsAPITests.b))
            let nothing = try await Self.browse(server, "/ops/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", screenshot: "search-nothing")
            #expect(nothing.contains("Nothing in the ledger matches") && !nothing.contains("<script>alert(1)</script>"))
        }
    }

    @Test("a stranger gets a login challenge, not the page")
    func pageNeedsLogin() async throws {
        try await OpsAPITests().withDispute { server in
            let answer = try await server.ops("/ops/", authorization: nil)
            #expect(answer.status == 401)
            #expect(answer.headers["WWW-Authenticate"].first?.hasPrefix("Basic") == true)
            #expect(try await server.ops("/ops/", authorization: "Basic \(Data("alice:wrong".utf8).base64EncodedString())").status == 401)
            #expect(
                try await server.ops("/ops/", authorization: "Basic \(Data(":\(ServerHarness.opsToken)".utf8).base64EncodedString())").status == 401
            )
        }
    }

    @Test("sending a parked delivery again is recorded with the operator's name and the outbox delivers it")
    func requeueIsRecordedAndDelivered() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            try await Self.park(server, url: "\(iop.url)/ocpi/emsp/2.1.1/sessions/FR/ABC/SES-9")
            let (status, location) = try await Self.post(server, "/ops/deliveries/dlv-parked-1/retry")
            #expect(status == 303)
            #expect(location?.hasPrefix("/ops/?done=") == true)
            let requeued = try #require(try await server.events("DeliveryRequeued").first)
            #expect(requeued.data.value["operator_name"]?.stringValue == Self.operatorName)
            #expect(requeued.metadata.value["source"]?.stringValue == "ops:\(Self.operatorName)")
            try await iop.requests.wait("the delivery sent again") { $0.contains { $0.path.hasSuffix("/SES-9") } }
            _ = try await server.waitForEvent("DeliverySucceeded")
            // Delivered now: sending it again is refused, and nothing is recorded.
            let (_, again) = try await Self.post(server, "/ops/deliveries/dlv-parked-1/retry")
            #expect(again?.hasPrefix("/ops/?refused=") == true)
            #expect(try await server.events("DeliveryRequeued").count == 1)
        }
    }

    @Test("abandoning needs a reason and is recorded; a POST from another site or without login changes nothing")
    func abandonIsRecorded() async throws {
        try await OpsAPITests().withDispute { server in
            try await Self.park(server, url: "http://127.0.0.1:9/unreachable")
            #expect(try await Self.post(server, "/ops/deliveries/dlv-parked-1/abandon", form: "reason=x", site: "cross-site").0 == 403)
            #expect(try await Self.post(server, "/ops/deliveries/dlv-parked-1/abandon", form: "reason=x", loggedIn: false).0 == 401)
            let (_, noReason) = try await Self.post(server, "/ops/deliveries/dlv-parked-1/abandon", form: "reason=+")
            #expect(noReason?.hasPrefix("/ops/?refused=") == true)
            #expect(try await server.events("DeliveryAbandoned").isEmpty)
            let (_, unknown) = try await Self.post(server, "/ops/deliveries/dlv-404/abandon", form: "reason=gone")
            #expect(unknown?.contains("no%20delivery") == true)

            let (status, _) = try await Self.post(
                server,
                "/ops/deliveries/dlv-parked-1/abandon",
                form: "reason=eMSP+confirmed+by+phone%3A+session+closed"
            )
            #expect(status == 303)
            let abandoned = try #require(try await server.events("DeliveryAbandoned").first)
            #expect(abandoned.data.value["operator_name"]?.stringValue == Self.operatorName)
            #expect(abandoned.data.value["reason"]?.stringValue == "eMSP confirmed by phone: session closed")
            let state = try await server.store.state(DeliveriesProjection.self, "dlv-parked-1")
            #expect(state?.status == .abandoned)
        }
    }

    /// The ops API is read-only, as documented: a tool's bearer token reads; a change needs a
    /// person's name, which becomes the event's source — so it must not carry a line break.
    @Test("the bearer token cannot act (403); an operator name with a line break is refused; nothing is recorded")
    func actionsNeedAPerson() async throws {
        try await OpsAPITests().withDispute { server in
            try await Self.park(server, url: "http://127.0.0.1:9/unreachable")
            let bearer = try await Self.post(server, "/ops/deliveries/dlv-parked-1/retry", authorization: "Bearer \(ServerHarness.opsToken)")
            #expect(bearer.0 == 403)
            let (_, forged) = try await Self.post(server, "/ops/deliveries/dlv-parked-1/abandon", form: "reason=x", as: "eve\n2026 critical")
            #expect(forged?.hasPrefix("/ops/?refused=") == true, "\(String(describing: forged))")
            #expect(try await server.events("DeliveryRequeued").isEmpty)
            #expect(try await server.events("DeliveryAbandoned").isEmpty)
        }
    }
}
