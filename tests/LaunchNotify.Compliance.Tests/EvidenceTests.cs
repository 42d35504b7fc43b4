using System.Text;
using System.Text.Json.Nodes;
using Jose;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Compliance.Tests;

/// <summary>Evidence bundles exported from stores filled by the real services, checked offline, and tampered with.</summary>
public sealed class EvidenceTests
{
    [Fact]
    public async Task Export_FromTheSendersStore_HoldsEverythingAndVerifiesOffline()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();

        var export = (await centres.Us.Evidence.ExportAsync(id, default))!;

        Assert.Empty(export.Warnings);
        var bundle = export.Bundle;
        Assert.Equal(id.ToString("D"), (string?)bundle["messageId"]);
        Assert.Equal("US", (string?)bundle["exportedBy"]);
        var receipt = Assert.Single(bundle["receipts"]!.AsArray())!;
        Assert.Equal(("RU", "accepted"), ((string?)receipt["from"], (string?)receipt["outcome"]));
        Assert.Equal(["RU", "US"], bundle["keys"]!["keys"]!.AsArray().Select(k => ((string)k!["kid"]!)[..2]).Order());
        Assert.Equal(["submitted", "published", "received-by-recipient", "confirmed"], bundle["timeline"]!.AsArray().Select(t => (string?)t!["event"]));
        Assert.Equal(["submitted", "published", "received", "verified", "confirmed"], bundle["audit"]!["entries"]!.AsArray().Select(e => (string?)e!["type"]));

        var report = EvidenceVerifier.Verify(export.ToUtf8(), trustedKeys: null);

        Assert.True(report.Passed, Describe(report));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "notification signature" && c.Message.Contains("by US"));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "receipt 1 (RU) signature" && c.Message.Contains("by RU"));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "recipient RU");
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "audit");
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Warn && c.Message.Contains("self-asserted"));
    }

    [Fact]
    public async Task Export_FromTheRecipientsStore_HoldsTheNotificationAndItsOwnReceipt()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();

        var export = (await centres.Ru.Evidence.ExportAsync(id, default))!;

        Assert.Equal("RU", (string?)export.Bundle["exportedBy"]);
        var report = EvidenceVerifier.Verify(export.ToUtf8(), KeyStore.LoadTrustedKeys(centres.KeysDirectory));
        Assert.True(report.Passed, Describe(report));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "recipient RU");
        Assert.DoesNotContain(report.Checks, c => c.Status == CheckStatus.Warn && c.Message.Contains("self-asserted"));
    }

    [Fact]
    public async Task Export_AfterAPersonReadIt_HoldsTheSignedAcknowledgement_OnBothSides_AndItVerifies()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        centres.Clock.Advance(NodaTime.Duration.FromMinutes(4));
        var read = await centres.Ru.Acknowledgements.AcknowledgeAsync(new CentreCode("US"), id,
            new LaunchNotify.Storage.Audit.Actor("sub-olga", "olga", ["duty-officer"]), default);
        await centres.DeliverAsync(centres.Ru, centres.Us);

        var fromUs = (await centres.Us.Evidence.ExportAsync(id, default))!;
        var acknowledgement = Assert.Single(fromUs.Bundle["acknowledgements"]!.AsArray())!;
        Assert.Equal(("RU", read.AcknowledgementMessageId!.Value.ToString("D")), ((string?)acknowledgement["from"], (string?)acknowledgement["messageId"]));
        Assert.Contains("read-by-a-person", fromUs.Bundle["timeline"]!.AsArray().Select(t => (string?)t!["event"]));
        Assert.Contains("read-by-person", fromUs.Bundle["audit"]!["entries"]!.AsArray().Select(e => (string?)e!["type"]));
        var report = EvidenceVerifier.Verify(fromUs.ToUtf8(), KeyStore.LoadTrustedKeys(centres.KeysDirectory));
        Assert.True(report.Passed, Describe(report));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "acknowledgement 1 (RU)" && c.Message.Contains("a person there read"));

        var fromRu = (await centres.Ru.Evidence.ExportAsync(id, default))!;
        Assert.Single(fromRu.Bundle["acknowledgements"]!.AsArray());
        Assert.Contains("acknowledged", fromRu.Bundle["audit"]!["entries"]!.AsArray().Select(e => (string?)e!["type"]));
        Assert.True(EvidenceVerifier.Verify(fromRu.ToUtf8(), KeyStore.LoadTrustedKeys(centres.KeysDirectory)).Passed);

        // The summary must say what the signed acknowledgement says.
        fromUs.Bundle["acknowledgements"]![0]!["acknowledgedAt"] = "2026-11-20T13:00:00Z";
        var tampered = EvidenceVerifier.Verify(fromUs.ToUtf8(), KeyStore.LoadTrustedKeys(centres.KeysDirectory));
        Assert.Contains(tampered.Checks, c => c.Status == CheckStatus.Fail && c.Subject == "acknowledgement 1 (RU)" && c.Message.Contains("acknowledgedAt"));
    }

    [Fact]
    public async Task Export_OfAnUnknownMessage_IsNull()
    {
        await using var centres = await TwoCentres.CreateAsync();
        Assert.Null(await centres.Us.Evidence.ExportAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task Verify_WhenTheSignedPayloadIsAltered_FailsTheNotificationSignature()
    {
        var bundle = await ExportedBundleAsync();
        var jws = bundle["notification"]!["jws"]!;
        var payload = Encoding.UTF8.GetString(Base64Url.Decode((string)jws["payload"]!)).Replace("\"count\":1", "\"count\":3");
        jws["payload"] = Base64Url.Encode(Encoding.UTF8.GetBytes(payload));

        var report = Verify(bundle);

        Assert.False(report.Passed);
        var failure = Assert.Single(report.Checks, c => c.Status == CheckStatus.Fail);
        Assert.Equal("notification signature", failure.Subject);
        Assert.StartsWith(SigningErrorCodes.Invalid, failure.Message);
    }

    [Fact]
    public async Task Verify_WhenTheStatedPayloadHashIsChanged_SaysTheHashDiffers()
    {
        var bundle = await ExportedBundleAsync();
        bundle["notification"]!["payloadSha256"] = new string('a', 64);

        var failure = Assert.Single(Verify(bundle).Checks, c => c.Status == CheckStatus.Fail);

        Assert.Equal("payload hash", failure.Subject);
        Assert.Contains("the signed payload hashes to", failure.Message);
    }

    [Fact]
    public async Task Verify_WhenAReceiptForAnotherNotificationIsSwappedIn_SaysWhichMessageItAnswers()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var first = await centres.ExchangeAsync();
        var second = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(first, default))!.Bundle;
        var other = (await centres.Us.Evidence.ExportAsync(second, default))!.Bundle;
        bundle["receipts"] = other["receipts"]!.DeepClone();

        var report = Verify(bundle);

        var failure = Assert.Single(report.Checks, c => c.Status == CheckStatus.Fail);
        Assert.Equal("receipt 1 (RU)", failure.Subject);
        Assert.Contains($"it refers to message {second}, not to this notification {first}", failure.Message);
        // Its signature is genuine: the check that catches it is what it answers.
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "receipt 1 (RU) signature");
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Warn && c.Subject == "recipient RU");
    }

    [Fact]
    public async Task Verify_WhenAReceiptIsSignedByACentreThatIsNotARecipient_FailsThatReceipt()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(id, default))!.Bundle;
        var receipt = bundle["receipts"]![0]!;
        // US writes itself a receipt for its own notification, validly signed with its own key.
        var payload = JsonNode.Parse(Base64Url.Decode((string)receipt["jws"]!["payload"]!))!;
        payload["sender"] = "US";
        payload["recipients"] = new JsonArray(new JsonObject { ["centre"] = "US", ["sequence"] = 1 });
        using var usKey = KeyStore.LoadPrivate(centres.KeysDirectory, new CentreCode("US"));
        receipt["jws"] = JsonNode.Parse(new JwsPayloadSigner(usKey).Sign(Encoding.UTF8.GetBytes(payload.ToJsonString())));
        receipt["from"] = "US";

        var report = Verify(bundle);

        Assert.Contains(report.Checks, c => c is { Status: CheckStatus.Fail, Subject: "receipt 1 (US)" }
            && c.Message.Contains("it is signed by US, which is not a recipient of this notification (RU)"));
        // And the audit log recorded a different receipt payload from RU than the one now bundled.
        Assert.Contains(report.Checks, c => c is { Status: CheckStatus.Fail, Subject: "audit" } && c.Message.Contains("recorded payload hash"));
    }

    [Fact]
    public async Task Verify_WhenAReceiptClaimsARecipientButIsSignedWithAnotherCentresKey_FailsKidToCentre()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(id, default))!.Bundle;
        var receipt = bundle["receipts"]![0]!;
        var payload = Base64Url.Decode((string)receipt["jws"]!["payload"]!);
        using var usKey = KeyStore.LoadPrivate(centres.KeysDirectory, new CentreCode("US"));
        receipt["jws"] = JsonNode.Parse(new JwsPayloadSigner(usKey).Sign(payload));

        var failure = Assert.Single(Verify(bundle).Checks, c => c.Status == CheckStatus.Fail);

        Assert.Equal("receipt 1 (RU) signature", failure.Subject);
        Assert.StartsWith(SigningErrorCodes.KeyNotSenders, failure.Message);
    }

    [Fact]
    public async Task Verify_AfterTheSendersKeyIsRevoked_EvidenceSignedBeforeStillVerifiesWithTheRevocationShown()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(id, default))!.ToUtf8();
        using var old = KeyStore.LoadPrivate(centres.KeysDirectory, new CentreCode("US"));
        KeyStore.Rotate(new CentreCode("US"), centres.KeysDirectory, NodaTime.Duration.Zero, centres.Clock.GetCurrentInstant()).Key.Dispose();
        var revokedAt = centres.Clock.GetCurrentInstant() + NodaTime.Duration.FromDays(1);
        KeyStore.Revoke(centres.KeysDirectory, old.Kid, revokedAt, "key compromised");

        var report = EvidenceVerifier.Verify(bundle, KeyStore.LoadTrustedKeys(centres.KeysDirectory), KeyStore.LoadStatuses(centres.KeysDirectory));

        Assert.True(report.Passed, Describe(report));
        Assert.Contains(report.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "notification signature");
        var shown = Assert.Single(report.Checks, c => c.Status == CheckStatus.Warn && c.Subject == "notification key");
        Assert.Contains($"{old.Kid} was revoked", shown.Message);
        Assert.Contains("key compromised", shown.Message);
    }

    [Fact]
    public async Task Verify_WhenTheSendersKeyWasRevokedBeforeTheMessageWasSigned_FailsTheSignature()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(id, default))!.ToUtf8();
        using var old = KeyStore.LoadPrivate(centres.KeysDirectory, new CentreCode("US"));
        KeyStore.Rotate(new CentreCode("US"), centres.KeysDirectory, NodaTime.Duration.FromDays(7), centres.Clock.GetCurrentInstant()).Key.Dispose();
        KeyStore.Revoke(centres.KeysDirectory, old.Kid, TwoCentres.Start - NodaTime.Duration.FromDays(1), "lost a year ago");

        var report = EvidenceVerifier.Verify(bundle, KeyStore.LoadTrustedKeys(centres.KeysDirectory), KeyStore.LoadStatuses(centres.KeysDirectory));

        Assert.False(report.Passed);
        var failure = Assert.Single(report.Checks, c => c.Status == CheckStatus.Fail && c.Subject == "notification signature");
        Assert.StartsWith(SigningErrorCodes.KeyRevoked, failure.Message);
    }

    [Fact]
    public async Task Verify_WhenTheBundledKeyOfARecipientIsReplaced_FailsItsReceiptSignatureAndTheTrustCheck()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        var bundle = (await centres.Us.Evidence.ExportAsync(id, default))!.Bundle;
        var ruKey = bundle["keys"]!["keys"]!.AsArray().Single(k => ((string)k!["kid"]!).StartsWith("RU-"))!;
        using var impostor = CentreKey.Generate(new CentreCode("RU"));
        ruKey["x"] = impostor.PublicJwk.X;
        ruKey["y"] = impostor.PublicJwk.Y;

        var selfAsserted = Verify(bundle);
        var failure = Assert.Single(selfAsserted.Checks, c => c.Status == CheckStatus.Fail);
        Assert.Equal("receipt 1 (RU) signature", failure.Subject);
        Assert.StartsWith(SigningErrorCodes.Invalid, failure.Message);

        var trusted = EvidenceVerifier.Verify(Encoding.UTF8.GetBytes(bundle.ToJsonString()), KeyStore.LoadTrustedKeys(centres.KeysDirectory));
        Assert.Contains(trusted.Checks, c => c.Status == CheckStatus.Fail && c.Subject == $"key {(string)ruKey["kid"]!}" && c.Message.Contains("differs from the key you trust"));
        // Against the officer's own keys, the genuine receipt still verifies.
        Assert.Contains(trusted.Checks, c => c.Status == CheckStatus.Pass && c.Subject == "receipt 1 (RU) signature");
    }

    [Fact]
    public async Task Verify_WhenAnAuditEntryInTheBundleIsEdited_SaysItsContentDoesNotMatchItsHash()
    {
        var bundle = await ExportedBundleAsync();
        bundle["audit"]!["entries"]![1]!["details"]!["routingKey"] = "CN.US.prenotification";

        var failure = Assert.Single(Verify(bundle).Checks, c => c.Status == CheckStatus.Fail);

        Assert.Equal("audit", failure.Subject);
        Assert.Contains("entry 2's content does not match its hash", failure.Message);
    }

    [Fact]
    public async Task JoseJwt_VerifiesTheBundledReceiptWithTheBundledKey()
    {
        var bundle = await ExportedBundleAsync();
        var receiptJws = bundle["receipts"]![0]!["jws"]!;
        var compact = $"{receiptJws["protected"]}.{receiptJws["payload"]}.{receiptJws["signature"]}";
        var kid = (string)JWT.Headers(compact)["kid"];
        var keys = Jose.JwkSet.FromJson(bundle["keys"]!.ToJsonString(), JWT.DefaultSettings.JsonMapper);
        var key = keys.Keys.Single(k => k.KeyId == kid);

        var payload = JWT.DecodeBytes(compact, key, JwsAlgorithm.ES256);

        Assert.Equal(Base64Url.Decode((string)receiptJws["payload"]!), payload);
        Assert.Equal(bundle["messageId"]!.GetValue<string>(), (string?)JsonNode.Parse(payload)!["receiptFor"]);
        using var otherKey = CentreKey.Generate(new CentreCode("RU"));
        Assert.Throws<IntegrityException>(() => JWT.DecodeBytes(compact, otherKey.PublicJwk.ToECDsa(), JwsAlgorithm.ES256));
    }

    private static async Task<JsonObject> ExportedBundleAsync()
    {
        await using var centres = await TwoCentres.CreateAsync();
        var id = await centres.ExchangeAsync();
        return (await centres.Us.Evidence.ExportAsync(id, default))!.Bundle;
    }

    private static EvidenceReport Verify(JsonObject bundle) => EvidenceVerifier.Verify(Encoding.UTF8.GetBytes(bundle.ToJsonString()), trustedKeys: null);

    private static string Describe(EvidenceReport report) => string.Join("\n", report.Checks);
}
