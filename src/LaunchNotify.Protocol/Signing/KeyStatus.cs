using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// The lifecycle of one trusted key beyond "trusted": since when it is revoked (signatures checked at or after that
/// instant are refused) and until when a rotated-out key stays valid for verification (the overlap).
/// </summary>
public sealed record KeyStatus(string Kid, Instant? RetiresAt, Instant? RevokedAt, string? Reason)
{
    /// <summary>Why a signature by this key checked at <paramref name="at"/> is refused, or null if it is not.</summary>
    public JwsError? RefusalAt(Instant at)
    {
        if (RevokedAt is { } revoked && at >= revoked)
            return new JwsError(SigningErrorCodes.KeyRevoked,
                $"Key '{Kid}' was revoked at {KeyStatuses.Format(revoked)}{(Reason is null ? "" : $" ({Reason})")}; signatures checked from then on are refused.");
        if (RetiresAt is { } retires && at >= retires)
            return new JwsError(SigningErrorCodes.KeyRetired,
                $"Key '{Kid}' was rotated out and stopped being valid for verification at {KeyStatuses.Format(retires)}; the sender signs with its newer key.");
        return null;
    }

    /// <summary>The earlier of each instant: a revocation or a retirement can be brought forward, never undone.</summary>
    public KeyStatus Merge(KeyStatus other) => new(Kid, Earlier(RetiresAt, other.RetiresAt), Earlier(RevokedAt, other.RevokedAt),
        RevokedAt is not null && (other.RevokedAt is null || RevokedAt <= other.RevokedAt) ? Reason : other.Reason ?? Reason);

    private static Instant? Earlier(Instant? a, Instant? b) => a is null ? b : b is null ? a : Instant.Min(a.Value, b.Value);
}

/// <summary>
/// <c>&lt;dir&gt;/key-status.json</c>: <c>{"keys":[{"kid","retiresAt"?,"revokedAt"?,"reason"?}]}</c>, instants in RFC 3339 UTC.
/// A key with no entry is simply valid while it is in the trust store.
/// </summary>
public sealed class KeyStatuses
{
    public const string FileName = "key-status.json";

    private readonly Dictionary<string, KeyStatus> byKid;

    public KeyStatuses(IEnumerable<KeyStatus> statuses)
    {
        byKid = new Dictionary<string, KeyStatus>(StringComparer.Ordinal);
        foreach (var s in statuses)
            byKid[s.Kid] = byKid.TryGetValue(s.Kid, out var known) ? known.Merge(s) : s;
    }

    public static KeyStatuses None { get; } = new([]);

    public IReadOnlyCollection<KeyStatus> All => byKid.Values;

    public KeyStatus? Find(string kid) => byKid.GetValueOrDefault(kid);

    public KeyStatuses With(KeyStatus status) => new(All.Append(status));

    internal static string Format(Instant instant) => InstantPattern.General.Format(instant);

    public static KeyStatuses Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonFiles.Parse(json, "The key status file");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            throw new KeyFormatException("The key status file is a JSON object with a 'keys' array.");
        return new KeyStatuses(keys.EnumerateArray().Select(ReadOne));
    }

    internal static KeyStatus ReadOne(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new KeyFormatException("A key status is a JSON object.");
        var kid = Jwk.Member(e, "kid") ?? throw new KeyFormatException("A key status has no 'kid'.");
        Jwk.CentreOfKid(kid);
        return new KeyStatus(kid, ReadInstant(e, kid, "retiresAt"), ReadInstant(e, kid, "revokedAt"), Jwk.Member(e, "reason"));
    }

    private static Instant? ReadInstant(JsonElement e, string kid, string name)
    {
        if (!e.TryGetProperty(name, out var value))
            return null;
        var parsed = value.ValueKind == JsonValueKind.String ? InstantPattern.ExtendedIso.Parse(value.GetString()!) : null;
        return parsed is { Success: true } ? parsed.Value
            : throw new KeyFormatException($"Key '{kid}': '{name}' must be an RFC 3339 UTC instant such as 2026-12-06T08:00:00Z.");
    }

    internal static void WriteOne(Utf8JsonWriter w, KeyStatus s)
    {
        w.WriteStartObject();
        w.WriteString("kid", s.Kid);
        if (s.RetiresAt is { } retires)
            w.WriteString("retiresAt", Format(retires));
        if (s.RevokedAt is { } revoked)
            w.WriteString("revokedAt", Format(revoked));
        if (s.Reason is { } reason)
            w.WriteString("reason", reason);
        w.WriteEndObject();
    }

    public byte[] ToJson() => JsonFiles.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("keys");
        foreach (var s in All.OrderBy(s => s.Kid, StringComparer.Ordinal))
            WriteOne(w, s);
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
