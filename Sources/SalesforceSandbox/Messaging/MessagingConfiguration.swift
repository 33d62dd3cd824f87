/// The sandbox's Enhanced Messaging deployment (Messaging for In-App and Web, a Custom Client /
/// `api` deployment with token-based user verification): where user-verification JWTs are checked
/// against, how long access tokens live, and what the scripted Omni-Channel agent does.
public struct MessagingConfiguration: Sendable {
    /// The deployment's API name (`esDeveloperName`).
    public var esDeveloperName = "Support_API"
    /// The keyset's "JSON Web Key Issuer": a verification JWT's `iss` must equal it.
    public var issuer = "https://switchboard.example"
    /// Uploaded keys ("JSON Web Key" keyset): one JWK JSON object each.
    public var uploadedKeys: [String] = []
    /// An "Endpoint URL" keyset: the JWKS the sandbox fetches (the host's `/.well-known/jwks.json`).
    public var jwksURL: String?
    /// Name of the user verification configuration (in the end user's subject).
    public var verificationConfigName = "Switchboard_Verification"
    /// Lifetime of access tokens ("Authorization Token Expiration Time for Verified Users").
    public var tokenLifetime: Duration = .seconds(3600)
    /// How far in the past a verification JWT's `exp` may be.
    public var leeway: Duration = .seconds(0)
    /// Interval of `event: ping` keep-alives on the event stream.
    public var pingInterval: Duration = .seconds(15)
    /// Whether a reconnecting stream gets the events after its `Last-Event-Id` again (Salesforce's
    /// behaviour is unconfirmed; clients must backfill from `/entries` either way).
    public var replayAfterLastEventId = true
    /// The deployment's hidden pre-chat fields (each a custom parameter of the channel, mapped in the
    /// Omni-Channel flow): the routing attributes a conversation may carry. The token answer lists them
    /// under `forms`, which is how `doctor` sees whether the connector's routing attributes exist.
    public var preChatFields = ["_firstName", "_lastName", "_email", "User_Id__c", "Issue_Topic__c"]
    /// Answer a user-verification JWT that fails verification the way Salesforce is reported to
    /// (salesforce-messaging-api.md §2.3): HTTP 200 with a *guest* token (`…/UNAUTH/NA/uid:…`),
    /// instead of 401. A client must read the subject to notice.
    public var guestTokenOnRefusal = false
    /// The scripted queue and agent; nil: the agent acts only when told (control API / tests).
    public var script: MessagingScript? = MessagingScript()

    /// The defaults: no keys, a one-hour token, the standard script.
    public init() {}
}

/// What the scripted Omni-Channel queue and agent do with each new conversation (or reopened
/// session): a routing result with an estimated wait, the agent joins, types and sends each reply,
/// then — after the employee answers, or ``endAfter`` without an answer — types once more and
/// ends the session.
public struct MessagingScript: Sendable {
    /// Delay before the routing result.
    public var routingDelay: Duration = .milliseconds(300)
    /// The estimated wait reported with the routing result, in seconds.
    public var estimatedWaitSeconds = 45
    /// Delay from routing to the agent joining.
    public var joinDelay: Duration = .seconds(1)
    /// The agent's display name.
    public var agentName = "Dana Whitfield"
    /// What the agent says, one message each.
    public var replies = [
        "Hi, I'm Dana from IT support. I've read the summary — thanks for the detail.",
        "I can see the account on our side. Let me check the recent changes to it.",
        "Found it: the access group was removed by last night's cleanup. Can you confirm you still need it?",
    ]
    /// Typing time before each reply.
    public var typingTime: Duration = .milliseconds(400)
    /// Pause between replies.
    public var replyInterval: Duration = .milliseconds(700)
    /// After the last reply, end this long after the employee's answer…
    public var endDelay: Duration = .milliseconds(500)
    /// …or this long after the last reply when no answer comes.
    public var endAfter: Duration = .seconds(120)
    /// Topic values that no queue takes: routing fails for them.
    public var unroutableTopics: Set<String> = ["Unroutable"]

    /// The default script.
    public init() {}
}
