using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// A JWK Set (RFC 7517 §5) of centres' public keys: what a centre publishes and what a node trusts. Key ids are
/// unique; a set holding the same id twice would let a verifier pick the wrong key, so it is refused.
/// </summary>
public sealed class JwkSet
{
    private readonly Dictionary<string, Jwk> byKid;

    public IReadOnlyList<Jwk> Keys { get; }

    public JwkSet(IEnumerable<Jwk> keys)
    {
        Keys = keys.ToList();
        byKid = new Dictionary<string, Jwk>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            if (!byKid.TryAdd(key.Kid, key))
                throw new KeyFormatException($"The key set holds key id '{key.Kid}' more than once.");
        }
    }

    public static JwkSet Empty { get; } = new([]);

    public Jwk? Find(string kid) => byKid.GetValueOrDefault(kid);

    public bool TryFind(string kid, [NotNullWhen(true)] out Jwk? key) => byKid.TryGetValue(kid, out key);

    /// <summary>This set with <paramref name="key"/> added; the same key again is no change, another key under a known id is refused.</summary>
    public JwkSet With(Jwk key)
    {
        if (byKid.TryGetValue(key.Kid, out var known))
        {
            if (known == key)
                return this;
            throw new KeyFormatException($"Key id '{key.Kid}' is already trusted for a different key; remove the old key first if it is being replaced.");
        }
        return new JwkSet(Keys.Append(key));
    }

    public JwkSet Without(string kid) => new(Keys.Where(k => k.Kid != kid));

    /// <summary>Reads <c>{"keys":[…]}</c>; every key must be a public EC P-256 ES256 key (see <see cref="Jwk.FromJson"/>).</summary>
    public static JwkSet Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonFiles.Parse(json, "The key set");
        return FromJson(document.RootElement);
    }

    internal static JwkSet FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            throw new KeyFormatException("A JWK Set is a JSON object with a 'keys' array.");
        return new JwkSet(keys.EnumerateArray().Select(Jwk.FromJson));
    }

    public byte[] ToJson() => JsonFiles.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("keys");
        foreach (var key in Keys)
        {
            w.WriteStartObject();
            key.WriteMembers(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static JwkSet Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No key set at '{path}'.", path);
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (KeyFormatException e)
        {
            throw new KeyFormatException($"{path}: {e.Message}");
        }
    }

    public void Save(string path) => KeyStore.WriteAtomically(path, ToJson(), privateFile: false);

    public override string ToString() => $"JwkSet [{string.Join(", ", Keys.Select(k => k.Kid))}]";
}
