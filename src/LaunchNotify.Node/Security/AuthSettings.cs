using LaunchNotify.Node.Hosting;
using Microsoft.Extensions.Configuration;

namespace LaunchNotify.Node.Security;

/// <summary>
/// How the API authenticates (section <c>LaunchNotify:Auth</c>, docs/security.md). Without an <c>Authority</c>, the
/// node is its own OpenID Connect provider over its own accounts (embedded); with one, it accepts that provider's
/// JWT access tokens for <c>Audience</c> and keeps no sign-in of its own.
/// </summary>
public sealed record AuthSettings
{
    /// <summary>An external OpenID Connect provider's issuer URL (its discovery document and keys are fetched from there).</summary>
    public Uri? Authority { get; init; }

    /// <summary>The <c>aud</c> a token must carry for this API.</summary>
    public required string Audience { get; init; }

    /// <summary>The embedded provider's issuer (<c>iss</c> of the tokens it makes): by default the API's own URL.</summary>
    public required Uri Issuer { get; init; }

    /// <summary>The claims that carry the account's name and roles (external providers name them differently).</summary>
    public string NameClaim { get; init; } = "name";
    public string RoleClaim { get; init; } = "role";

    /// <summary>Fetch an external provider's metadata over HTTPS only (turn off for a loopback test provider only).</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>The embedded provider's RSA signing key (PEM, 0600), made on first start if missing.</summary>
    public required string SigningKeyFile { get; init; }

    /// <summary>How long an access token (and a dashboard sign-in) lasts: one duty shift by default.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The dashboard's client at the external provider (<c>ClientId</c>, and a secret for a confidential client): with it,
    /// a browser signs in at the provider (authorization code flow with PKCE); without it, the dashboard takes bearer tokens only.
    /// </summary>
    public DashboardClient? DashboardClient { get; init; }

    public bool IsEmbedded => Authority is null;

    public static AuthSettings From(IConfiguration configuration, string centre, string httpUrl, string keysDirectory)
    {
        var section = configuration.GetSection("LaunchNotify:Auth");
        Uri? authority = null;
        if (section["Authority"] is { Length: > 0 } authorityText && !Uri.TryCreate(authorityText, UriKind.Absolute, out authority))
            throw Problem("Authority", authorityText, "must be the provider's issuer as an absolute URL, e.g. https://login.example.org/realms/launchnotify");
        var issuerText = section["Issuer"] is { Length: > 0 } i ? i : httpUrl.TrimEnd('/') + "/";
        if (!Uri.TryCreate(issuerText, UriKind.Absolute, out var issuer))
            throw Problem("Issuer", issuerText, "must be an absolute URL (default: LaunchNotify:HttpUrl)");
        var lifetime = TimeSpan.FromHours(8);
        if (section["TokenLifetimeMinutes"] is { Length: > 0 } minutes)
        {
            if (!int.TryParse(minutes, out var m) || m is < 1 or > 24 * 60)
                throw Problem("TokenLifetimeMinutes", minutes, "must be a whole number of minutes from 1 to 1440");
            lifetime = TimeSpan.FromMinutes(m);
        }
        return new AuthSettings
        {
            DashboardClient = DashboardClientFrom(section, authority),
            Authority = authority,
            Audience = section["Audience"] is { Length: > 0 } audience ? audience : "launchnotify",
            Issuer = issuer,
            NameClaim = section["NameClaim"] is { Length: > 0 } name ? name : "name",
            RoleClaim = section["RoleClaim"] is { Length: > 0 } role ? role : "role",
            RequireHttpsMetadata = section["RequireHttpsMetadata"] is not { Length: > 0 } httpsText ? true
                : bool.TryParse(httpsText, out var https) ? https : throw Problem("RequireHttpsMetadata", httpsText, "must be true or false"),
            // Beside the centre's own signing key: a secret of this node, not of the centres sharing the keys folder.
            SigningKeyFile = section["SigningKeyFile"] is { Length: > 0 } file ? file : Path.Combine(keysDirectory, centre, "api-token-signing.pem"),
            TokenLifetime = lifetime,
        };
    }

    private static DashboardClient? DashboardClientFrom(IConfigurationSection section, Uri? authority)
    {
        string? id = section["ClientId"] is { Length: > 0 } i ? i : null,
            secret = section["ClientSecret"] is { Length: > 0 } s ? s : null,
            secretFile = section["ClientSecretFile"] is { Length: > 0 } f ? f : null;
        if (id is null)
            return secret is null && secretFile is null ? null
                : throw Problem(secret is null ? "ClientSecretFile" : "ClientSecret", secret ?? secretFile!,
                    "is only read with LaunchNotify:Auth:ClientId: set the dashboard's client id at the provider, or remove the secret");
        if (authority is null)
            throw Problem("ClientId", id, "is only read with LaunchNotify:Auth:Authority (an external provider); the embedded provider's dashboard " +
                "has its own login page: remove ClientId, or set Authority to the provider's issuer URL");
        if (secret is not null && secretFile is not null)
            throw Problem("ClientSecret", secret, "give the secret once: either LaunchNotify:Auth:ClientSecret (environment) or LaunchNotify:Auth:ClientSecretFile (a file, mode 0600), not both");
        if (secretFile is not null)
        {
            try
            {
                secret = Accounts.SecretFile.ReadOwnerOnly(secretFile, "LaunchNotify:Auth:ClientSecretFile");
            }
            catch (Accounts.SecretFileException e)
            {
                throw Problem("ClientSecretFile", secretFile, e.Message);
            }
            if (secret.Length == 0)
                throw Problem("ClientSecretFile", secretFile, "the file is empty: write the dashboard client's secret from the provider in it");
        }
        return new DashboardClient(id, secret);
    }

    private static SettingsException Problem(string key, string value, string allowed) =>
        new([NodeOptionsValidation.Line($"LaunchNotify:Auth:{key}", value, allowed)]);
}

/// <summary>
/// The dashboard's registration at an external OpenID Connect provider. A class, not a record: its text never shows the secret.
/// </summary>
/// <param name="Id">The client id the provider gave the dashboard.</param>
/// <param name="Secret">The client secret of a confidential client; null: a public client (PKCE only).</param>
public sealed class DashboardClient(string id, string? secret)
{
    public string Id { get; } = id;
    public string? Secret { get; } = secret;

    public override string ToString() => $"{Id} ({(Secret is null ? "public client" : "confidential client")})";
}
