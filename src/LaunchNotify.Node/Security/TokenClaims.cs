namespace LaunchNotify.Node.Security;

/// <summary>The claims this API reads from a token (JWT names; inbound claim mapping is off).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";

    /// <summary>A hash of the account's security stamp when the token was issued (embedded provider only).</summary>
    public const string Stamp = "ln_stamp";
}
