using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Audit;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage.Audit;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Node.Evidence;

public enum CheckStatus { Pass, Warn, Fail }

/// <summary>One line of an evidence check: what was checked, and what was found.</summary>
public sealed record EvidenceCheck(CheckStatus Status, string Subject, string Message)
{
    public override string ToString() => $"{(Status switch { CheckStatus.Pass => "✓", CheckStatus.Warn => "!", _ => "✗" })} {Subject}: {Message}";
}

public sealed record EvidenceReport(IReadOnlyList<EvidenceCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Status != CheckStatus.Fail);
}

/// <summary>
/// Checks an evidence bundle offline (docs/evidence.md): every JWS against the bundled keys (or the keys the officer
/// trusts), kid ↔ centre, the notification's id and payload hash, that each receipt answers this notification and is
/// signed by one of its recipients, and that the bundled audit entries hash correctly and agree with the signed payloads.
/// </summary>
public static class EvidenceVerifier
{
    /// <param name="trustedKeys">Keys the officer already trusts; null: the bundle's own keys, reported as self-asserted.</param>
    /// <param name="statuses">
    /// The keys' lifecycle (revocations, retirements). Each signature is judged as of its payload's <c>issuedAt</c>:
    /// made before its key's revocation it still verifies, and the revocation is shown as a finding; made at or after,
    /// it fails.
    /// </param>
    public static EvidenceReport Verify(ReadOnlySpan<byte> bundleJson, JwkSet? trustedKeys, KeyStatuses? statuses = null)
    {
        var checks = new List<EvidenceCheck>();
        void Add(CheckStatus status, string subject, string message) => checks.Add(new EvidenceCheck(status, subject, message));

        JsonObject bundle;
        try
        {
            bundle = JsonNode.Parse(bundleJson) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            Add(CheckStatus.Fail, "bundle", $"not readable as JSON ({e.Message}); is this a file from 'launchnotify evidence export'?");
            return new EvidenceReport(checks);
        }
        if (Text(bundle["format"]) != EvidenceFormat.Version)
        {
            Add(CheckStatus.Fail, "bundle", $"format is '{Text(bundle["format"])}', not '{EvidenceFormat.Version}'; this tool reads only that format.");
            return new EvidenceReport(checks);
        }
        if (!Guid.TryParse(Text(bundle["messageId"]), out var messageId))
        {
            Add(CheckStatus.Fail, "bundle", "has no valid messageId.");
            return new EvidenceReport(checks);
        }
        Add(CheckStatus.Pass, "bundle", $"{EvidenceFormat.Version} for message {messageId}, exported by {Text(bundle["exportedBy"]) ?? "?"} at {Text(bundle["exportedAt"]) ?? "?"}");

        var keys = Keys(bundle, trustedKeys, Add);
        if (keys is null)
            return new EvidenceReport(checks);
        var verifier = new JwsSignatureVerifier(keys, statuses);

        // The notification.
        var notification = bundle["notification"] as JsonObject;
        var payload = CheckSigned(verifier, notification?["jws"], "notification", Add);
        var payloadObject = payload is null ? null : Parse(payload);
        var sender = Text(payloadObject?["sender"]);
        var recipients = (payloadObject?["recipients"] as JsonArray)?.Select(r => Text(r?["centre"])).OfType<string>().ToList() ?? [];
        if (payload is not null)
        {
            var signedId = Text(payloadObject?["messageId"]);
            if (signedId != messageId.ToString("D"))
                Add(CheckStatus.Fail, "notification", $"the signed payload is message {signedId ?? "(none)"}, but the bundle is about {messageId}.");
            else
                Add(CheckStatus.Pass, "notification", $"the signed payload is message {messageId}, a {Text(payloadObject?["kind"])} under {Text(payloadObject?["agreementId"])} from {sender} to {string.Join(", ", recipients)}.");

            var hash = AuditEvent.Sha256(payload);
            var stated = Text(notification?["payloadSha256"]);
            if (stated != hash)
                Add(CheckStatus.Fail, "payload hash", $"the bundle says {stated ?? "(none)"}, but the signed payload hashes to {hash}.");
            else
                Add(CheckStatus.Pass, "payload hash", $"SHA-256 of the signed payload is {hash}, as stated.");

            foreach (var (name, value) in new[] { ("sender", sender), ("kind", Text(payloadObject?["kind"])), ("agreementId", Text(payloadObject?["agreementId"])) })
            {
                if (Text(notification?[name]) != value)
                    Add(CheckStatus.Fail, "notification", $"the bundle's summary says {name} {Text(notification?[name]) ?? "(none)"}, the signed payload {value ?? "(none)"}.");
            }
        }

        // The receipts.
        var signedReceipts = new Dictionary<string, string>(); // receipt message id -> payload hash
        var outcomes = new Dictionary<string, List<string>>(); // recipient -> outcomes
        var receipts = bundle["receipts"] as JsonArray ?? [];
        foreach (var (receipt, i) in receipts.Select((r, i) => (r as JsonObject, i + 1)))
        {
            var label = $"receipt {i} ({Text(receipt?["from"]) ?? "?"})";
            var receiptPayload = CheckSigned(verifier, receipt?["jws"], label, Add);
            if (receiptPayload is null)
                continue;
            var r = Parse(receiptPayload);
            var from = Text(r?["sender"]);
            var receiptId = Text(r?["messageId"]) ?? "?";
            signedReceipts[receiptId] = AuditEvent.Sha256(receiptPayload);
            var problems = AnswerProblems(receipt, r, "receipt", "receiptFor", ["outcome"], messageId, payloadObject, sender, recipients);
            if (problems.Count > 0)
            {
                Add(CheckStatus.Fail, label, string.Join("; ", problems) + ".");
                continue;
            }
            var outcome = Text(r?["outcome"]) ?? "?";
            Add(CheckStatus.Pass, label, $"{receiptId} from {from} answers {messageId}: {outcome} (received {Text(r?["receivedAt"])}, by {from}'s clock).");
            if (!outcomes.TryGetValue(from!, out var list))
                outcomes[from!] = list = [];
            list.Add(outcome);
        }

        // Which recipients confirmed: missing receipts are a finding, not a broken bundle.
        foreach (var recipient in recipients)
        {
            if (outcomes.TryGetValue(recipient, out var seen) && seen.Contains("accepted"))
                Add(CheckStatus.Pass, $"recipient {recipient}", "confirmed by a signed receipt.");
            else if (seen is not null)
                Add(CheckStatus.Warn, $"recipient {recipient}", "its signed receipt rejected the notification (reasons are in the receipt).");
            else if (bundle["exportedBy"] is { } by && Text(by) == sender)
                Add(CheckStatus.Warn, $"recipient {recipient}", "no signed receipt in the bundle: it has not confirmed (or the receipt was not stored).");
        }

        // The acknowledgements (a person at a recipient read it): signed by a recipient, about this notification, to its sender.
        var acknowledgements = bundle["acknowledgements"] as JsonArray ?? [];
        foreach (var (acknowledgement, i) in acknowledgements.Select((a, i) => (a as JsonObject, i + 1)))
        {
            var label = $"acknowledgement {i} ({Text(acknowledgement?["from"]) ?? "?"})";
            var ackPayload = CheckSigned(verifier, acknowledgement?["jws"], label, Add);
            if (ackPayload is null)
                continue;
            var a = Parse(ackPayload);
            var from = Text(a?["sender"]);
            signedReceipts[Text(a?["messageId"]) ?? "?"] = AuditEvent.Sha256(ackPayload);
            var problems = AnswerProblems(acknowledgement, a, "acknowledgement", "acknowledgementFor", ["acknowledgedAt"], messageId, payloadObject, sender, recipients);
            if (problems.Count > 0)
                Add(CheckStatus.Fail, label, string.Join("; ", problems) + ".");
            else
                Add(CheckStatus.Pass, label, $"{Text(a?["messageId"])} from {from}: a person there read {messageId} at {Text(a?["acknowledgedAt"])} (by {from}'s clock).");
        }

        CheckAudit(bundle, messageId, payload is null ? null : AuditEvent.Sha256(payload), signedReceipts, Add);
        return new EvidenceReport(checks);
    }

    /// <summary>
    /// What is wrong with a signed answer (receipt, acknowledgement) to this notification: its kind, what it refers to,
    /// who signed it (a recipient), whom it is addressed to (the sender), its agreement, and the bundle's summary of it.
    /// </summary>
    private static List<string> AnswerProblems(JsonObject? bundled, JsonObject? signed, string kind, string refersTo, string[] summary,
        Guid messageId, JsonObject? notification, string? sender, IReadOnlyList<string> recipients)
    {
        var problems = new List<string>();
        var from = Text(signed?["sender"]);
        if (Text(signed?["kind"]) != kind)
            problems.Add($"it is a {Text(signed?["kind"]) ?? "(no kind)"}, not a {kind}");
        if (Text(signed?[refersTo]) != messageId.ToString("D"))
            problems.Add($"it refers to message {Text(signed?[refersTo]) ?? "(none)"}, not to this notification {messageId}");
        // Who may answer is known only from a verified notification.
        if (notification is not null && (from is null || !recipients.Contains(from)))
            problems.Add($"it is signed by {from ?? "(no sender)"}, which is not a recipient of this notification ({string.Join(", ", recipients)})");
        if (sender is not null && (signed?["recipients"] as JsonArray)?.Any(x => Text(x?["centre"]) == sender) != true)
            problems.Add($"it is not addressed to the notification's sender {sender}");
        if (notification is not null && Text(signed?["agreementId"]) != Text(notification["agreementId"]))
            problems.Add($"it is under agreement {Text(signed?["agreementId"])}, the notification under {Text(notification["agreementId"])}");
        foreach (var name in new[] { "from", "messageId", refersTo }.Concat(summary))
        {
            var value = Text(signed?[name == "from" ? "sender" : name]);
            if (Text(bundled?[name]) != value)
                problems.Add($"the bundle's summary says {name} {Text(bundled?[name]) ?? "(none)"}, the signed {kind} {value ?? "(none)"}");
        }
        return problems;
    }

    private static JwkSet? Keys(JsonObject bundle, JwkSet? trusted, Action<CheckStatus, string, string> add)
    {
        JwkSet bundled;
        try
        {
            bundled = JwkSet.Parse(Encoding.UTF8.GetBytes(bundle["keys"]?.ToJsonString() ?? "null"));
        }
        catch (KeyFormatException e)
        {
            add(CheckStatus.Fail, "keys", $"the bundle's JWK Set is not usable: {e.Message}");
            return null;
        }
        add(CheckStatus.Pass, "keys", $"{bundled.Keys.Count} public key(s): {string.Join(", ", bundled.Keys.Select(k => $"{k.Kid} (centre {k.Centre}, thumbprint {k.Thumbprint()})"))}.");
        if (trusted is null)
        {
            add(CheckStatus.Warn, "keys", "these keys are self-asserted by the bundle: whoever wrote the bundle could have written them. "
                + "Compare the thumbprints with each centre over a second channel, or run again with --trusted-keys <your jwks.json>.");
            return bundled;
        }
        foreach (var key in bundled.Keys)
        {
            if (!trusted.TryFind(key.Kid, out var known))
                add(CheckStatus.Fail, $"key {key.Kid}", "is not among the keys you trust; signatures made with it prove nothing to you.");
            else if (known != key)
                add(CheckStatus.Fail, $"key {key.Kid}", "differs from the key you trust under that id: the bundle's key was replaced.");
            else
                add(CheckStatus.Pass, $"key {key.Kid}", "is the key you trust under that id.");
        }
        // Signatures are checked against the officer's keys only.
        return trusted;
    }

    /// <summary>Verifies one bundled JWS under the wire profile against the sender its payload claims; returns the payload if valid.</summary>
    private static byte[]? CheckSigned(JwsSignatureVerifier verifier, JsonNode? jwsNode, string label, Action<CheckStatus, string, string> add)
    {
        if (jwsNode is not JsonObject jws)
        {
            add(CheckStatus.Fail, label, "no JWS object (protected, payload, signature) in the bundle.");
            return null;
        }
        var body = Encoding.UTF8.GetBytes(jws.ToJsonString());
        var unverified = verifier.ReadUnverifiedPayload(body, out var error);
        if (unverified is null)
        {
            add(CheckStatus.Fail, $"{label} signature", error ?? "not a flattened JWS.");
            return null;
        }
        if (Text(Parse(unverified)?["sender"]) is not { } claimed || !CentreCode.IsValid(claimed))
        {
            add(CheckStatus.Fail, $"{label} signature", "the payload names no sender centre, so no key can be tied to it.");
            return null;
        }
        // Judged as of when it was signed (its issuedAt); without one, as of the end of time (a revoked key fails).
        var issued = Text(Parse(unverified)?["issuedAt"]) is { } text && InstantPattern.ExtendedIso.Parse(text) is { Success: true } p ? p.Value : Instant.MaxValue;
        var check = verifier.Verify(body, new CentreCode(claimed), issued);
        if (!check.IsValid)
        {
            add(CheckStatus.Fail, $"{label} signature", $"{check.ErrorCode}: {check.Reason}");
            return null;
        }
        Jws.TryParseFlattened(body, out var parsed, out _);
        add(CheckStatus.Pass, $"{label} signature", $"valid ES256 by {check.SignedBy} with key {parsed!.Header.Kid} (kid centre = payload sender).");
        if (verifier.Statuses.Find(parsed.Header.Kid!) is { RevokedAt: { } revokedAt } revoked)
            add(CheckStatus.Warn, $"{label} key", $"key {revoked.Kid} was revoked at {AuditChain.FormatInstant(revokedAt)}{(revoked.Reason is null ? "" : $" ({revoked.Reason})")}; "
                + $"this signature dates from {AuditChain.FormatInstant(issued)}, before the revocation, so it stands.");
        return check.Payload;
    }

    private static void CheckAudit(JsonObject bundle, Guid messageId, string? payloadHash, Dictionary<string, string> receiptHashes,
        Action<CheckStatus, string, string> add)
    {
        var entries = (bundle["audit"]?["entries"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (entries.Count == 0)
        {
            add(CheckStatus.Warn, "audit", "the bundle holds no audit entries about this message.");
            return;
        }
        var bad = new List<string>();
        JsonObject? previous = null;
        foreach (var e in entries)
        {
            var seq = Int(e["seq"]) ?? 0;
            if (Recompute(e) is not { } recomputed || recomputed != Text(e["hash"]))
                bad.Add($"entry {seq}'s content does not match its hash");
            if (previous is not null && Int(previous["seq"]) == seq - 1 && Text(e["prev"]) != Text(previous["hash"]))
                bad.Add($"entry {seq}'s prev is not entry {seq - 1}'s hash");
            previous = e;

            // Entries that recorded a payload hash must agree with the signed payloads in this bundle.
            var about = Text(e["subject"]?["message"]);
            var recorded = Text(e["details"]?["payloadSha256"]);
            var signed = about == messageId.ToString("D") ? payloadHash : about is not null ? receiptHashes.GetValueOrDefault(about) : null;
            if (recorded is not null && signed is not null && recorded != signed)
                bad.Add($"entry {seq} ({Text(e["type"])}) recorded payload hash {recorded}, but the bundled signed payload hashes to {signed}");
        }
        if (bad.Count > 0)
            add(CheckStatus.Fail, "audit", string.Join("; ", bad) + ".");
        else
            add(CheckStatus.Pass, "audit", $"{entries.Count} entries ({string.Join(", ", entries.Select(e => $"{e["seq"]} {Text(e["type"])}"))}) hash correctly and agree with the signed payloads; "
                + $"compare entry hashes with 'launchnotify audit verify' on the node's store (head {bundle["audit"]?["head"]?["seq"]}: {Text(bundle["audit"]?["head"]?["hash"])}).");
    }

    /// <summary>SHA-256 over the canonical JSON of the entry without its "hash" member: the recipe of docs/audit.md.</summary>
    private static string? Recompute(JsonObject e)
    {
        try
        {
            var hashed = (JsonObject)e.DeepClone();
            hashed.Remove("hash");
            return AuditEvent.Sha256(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(hashed)));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static long? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static JsonObject? Parse(byte[] json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
