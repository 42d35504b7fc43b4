using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Tests.Shared;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using NodaTime;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>The node's own provider: tokens for its accounts, refused when the account is disabled or reset, the principal on record.</summary>
public sealed class AccountAndTokenTests : IDisposable
{
    private readonly PublisherApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<AccountBookScope> AccountsAsync() => new(await AccountStore.OpenAsync(_app.StoreOptions, SystemClock.Instance, CancellationToken.None));

    private sealed class AccountBookScope(AccountStore store) : IAsyncDisposable
    {
        public AccountBook Book => store.Book;
        public ValueTask DisposeAsync() => store.DisposeAsync();
    }

    private static readonly Actor Admin = new("test:admin", "admin", [NodeRoles.Administrator]);

    /// <summary>A notification draft an operator of US may submit (US → RU under us-ru-bmlna-1988, three days ahead).</summary>
    internal static JsonObject OperatorDraft() => new()
    {
        ["agreementId"] = "us-ru-bmlna-1988",
        ["recipients"] = new JsonArray("RU"),
        ["launchWindow"] = new JsonObject { ["start"] = "2026-03-13T07:00:00Z", ["end"] = "2026-03-13T13:00:00Z" },
        ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "LGM-30G Minuteman III", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 6760 },
        ["launchArea"] = new JsonObject { ["type"] = "circle", ["name"] = "Vandenberg SFB", ["centre"] = new JsonObject { ["lat"] = 34.74, ["lon"] = -120.57 }, ["radiusKm"] = 10 },
        ["impactAreas"] = new JsonArray(new JsonObject { ["type"] = "circle", ["name"] = "Kwajalein", ["centre"] = new JsonObject { ["lat"] = 9.395, ["lon"] = 167.471 }, ["radiusKm"] = 50 }),
    };

    [Fact]
    public async Task Token_CarriesSubjectNameRolesAndAudience_AndIsSignedByTheNode()
    {
        await TestAccounts.AddAsync(_app.StoreOptions, ("olga", NodeRoles.Operator));
        using var http = _app.CreateClient();

        var token = new JsonWebToken(await TestAccounts.TokenAsync(http, "olga"));

        Assert.Equal("RS256", token.Alg);
        Assert.Equal("olga", token.Claims.Single(c => c.Type == "name").Value);
        Assert.Equal([NodeRoles.Operator], token.Claims.Where(c => c.Type == "role").Select(c => c.Value));
        Assert.Contains("launchnotify", token.Audiences);
        Assert.False(string.IsNullOrEmpty(token.Subject));
        Assert.DoesNotContain(token.Claims, c => c.Value.Contains(TestAccounts.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_WrongPassword_IsRefusedWithoutSayingWhichPartWasWrong_AndFiveFailuresLockTheAccount()
    {
        await TestAccounts.AddAsync(_app.StoreOptions, ("olga", NodeRoles.Operator));
        using var http = _app.CreateClient();

        var unknown = await TryTokenAsync(http, "nobody", "whatever-password");
        var wrong = await TryTokenAsync(http, "olga", "wrong-password-123");
        for (var i = 0; i < 4; i++)
            await TryTokenAsync(http, "olga", "wrong-password-123");
        var locked = await TryTokenAsync(http, "olga", TestAccounts.Password);

        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("invalid_grant", unknown.Body!["error"]!.ToString());
        Assert.Equal(unknown.Body["error_description"]!.ToString(), wrong.Body!["error_description"]!.ToString());
        Assert.DoesNotContain("wrong-password-123", wrong.Text);
        Assert.Equal(HttpStatusCode.BadRequest, locked.Status);
        Assert.Contains("locked", locked.Body!["error_description"]!.ToString());
    }

    [Fact]
    public async Task DisablingOrResettingAnAccount_EndsItsTokensAtTheirNextUse()
    {
        await TestAccounts.AddAsync(_app.StoreOptions, ("dora", NodeRoles.DutyOfficer), ("carl", NodeRoles.ComplianceOfficer));
        using var dora = _app.CreateClient().WithToken(await TestAccounts.TokenAsync(_app.CreateClient(), "dora"));
        using var carl = _app.CreateClient().WithToken(await TestAccounts.TokenAsync(_app.CreateClient(), "carl"));
        Assert.Equal(HttpStatusCode.OK, (await dora.GetAsync("/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carl.GetAsync("/v1/me")).StatusCode);

        await using (var accounts = await AccountsAsync())
        {
            await accounts.Book.DisableAsync("dora", Admin, CancellationToken.None);
            await accounts.Book.ResetAsync("carl", "a-new-password-for-carl", null, Admin, CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await dora.GetAsync("/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await carl.GetAsync("/v1/me")).StatusCode);
        using var http = _app.CreateClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await TryTokenAsync(http, "dora", TestAccounts.Password)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TryTokenAsync(http, "carl", "a-new-password-for-carl")).Status);
        await using var db = _app.Db();
        var audited = await db.Set<AuditEntry>().Where(e => e.Type.StartsWith("user-")).OrderBy(e => e.Seq).Select(e => new { e.Type, e.ActorName }).ToListAsync();
        Assert.Contains(new { Type = "user-disabled", ActorName = (string?)"admin" }, audited);
        Assert.Contains(new { Type = "user-reset", ActorName = (string?)"admin" }, audited);
        Assert.DoesNotContain(await db.Set<AuditEntry>().Select(e => e.DetailsJson).ToListAsync(), d => d.Contains("a-new-password-for-carl"));
    }

    [Fact]
    public async Task ATokenFromAnotherIssuerOrForgedKey_IsRefused()
    {
        await TestAccounts.AddAsync(_app.StoreOptions, ("olga", NodeRoles.Operator));
        using var http = _app.CreateClient();
        var token = await TestAccounts.TokenAsync(http, "olga");
        var parts = token.Split('.');
        // Same header and signature, payload claiming the administrator role: the signature no longer matches.
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])))!.AsObject();
        payload["role"] = NodeRoles.Administrator;
        var forged = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";

        using var attacker = _app.CreateClient().WithToken(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.GetAsync("/v1/accounts")).StatusCode);
        using var none = _app.CreateClient().WithToken($"{parts[0]}.{parts[1]}.");
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Submission_RecordsTheSignedInOperator_InTheMessageAndItsHashedAuditEntry()
    {
        using var http = await _app.ClientAsync(NodeRoles.Operator, "olga");
        var draft = OperatorDraft();

        using var response = await http.PostAsync("/v1/notifications", new StringContent(draft.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToJsonString());
        var id = Guid.Parse(body["messageId"]!.ToString());
        await using var db = _app.Db();
        var message = await db.OutboundMessages.SingleAsync(m => m.MessageId == id);
        var entry = await db.Set<AuditEntry>().SingleAsync(e => e.MessageId == id && e.Type == "submitted");
        Assert.Equal("olga", message.SubmittedByName);
        Assert.Equal(message.SubmittedBySubject, entry.ActorSubject);
        Assert.Equal("olga", entry.ActorName);
        Assert.Equal(NodeRoles.Operator, entry.ActorRoles);
        // The principal is inside the hashed encoding: changing it breaks the chain.
        var hash = AuditChain.ComputeHash(entry);
        Assert.Equal(entry.Hash, hash);
        entry.ActorName = "mallory";
        Assert.NotEqual(hash, AuditChain.ComputeHash(entry));
        entry.ActorName = "olga";
        Assert.Contains("\"actor\":{\"name\":\"olga\",\"roles\":[\"operator\"],\"sub\":", Encoding.UTF8.GetString(AuditChain.CanonicalEncoding(entry)));
    }

    [Fact]
    public async Task NeitherPasswordsNorTokens_AppearInTheLogs()
    {
        await TestAccounts.AddAsync(_app.StoreOptions, ("olga", NodeRoles.Operator));
        using var http = _app.CreateClient();
        await TryTokenAsync(http, "olga", "a-wrong-password-in-the-logs?");
        var token = await TestAccounts.TokenAsync(http, "olga");
        using var signedIn = _app.CreateClient().WithToken(token);
        await signedIn.GetAsync("/v1/notifications");
        await signedIn.GetAsync("/v1/accounts"); // 403
        using var expired = _app.CreateClient().WithToken(token[..^4] + "AAAA");
        await expired.GetAsync("/v1/me"); // 401

        var logs = string.Join("\n", _app.AllLogs.Entries);
        Assert.Contains("Token refused for olga", logs);
        Assert.DoesNotContain("a-wrong-password-in-the-logs?", logs);
        Assert.DoesNotContain(TestAccounts.Password, logs);
        Assert.DoesNotContain(token.Split('.')[2], logs);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> TryTokenAsync(HttpClient http, string user, string password)
    {
        using var form = new FormUrlEncodedContent([new("grant_type", "password"), new("username", user), new("password", password)]);
        using var response = await http.PostAsync("/connect/token", form);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text), text);
    }
}
