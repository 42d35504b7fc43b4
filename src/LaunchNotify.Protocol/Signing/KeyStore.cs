using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// Keys on disk under a node's key folder:
/// <code>
/// &lt;dir&gt;/jwks.json                 the trust store: every trusted centre's public key(s), a JWK Set
/// &lt;dir&gt;/&lt;CC&gt;/                    0700
/// &lt;dir&gt;/&lt;CC&gt;/private.jwk.json     0600, the centre's private key (JWK with d); never leaves the folder
/// &lt;dir&gt;/&lt;CC&gt;/public.jwk.json      0644, its public JWK, the file to hand to counterparts
/// </code>
/// Files are replaced atomically (write a sibling, then rename); a private file is created 0600, never widened.
/// </summary>
public static class KeyStore
{
    public const string TrustStoreFile = "jwks.json";
    public const string PrivateKeyFile = "private.jwk.json";
    public const string PublicKeyFile = "public.jwk.json";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PublicFile = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static string CentreDirectory(string dir, CentreCode centre) => Path.Combine(dir, centre.Value);
    public static string PrivateKeyPath(string dir, CentreCode centre) => Path.Combine(dir, centre.Value, PrivateKeyFile);
    public static string PublicKeyPath(string dir, CentreCode centre) => Path.Combine(dir, centre.Value, PublicKeyFile);
    public static string TrustStorePath(string dir) => Path.Combine(dir, TrustStoreFile);
    public static string StatusPath(string dir) => Path.Combine(dir, KeyStatuses.FileName);

    /// <summary>
    /// Creates a key pair for <paramref name="centre"/>, writes its private and public files and adds the public key
    /// to the trust store. Refuses to replace an existing private key unless <paramref name="overwrite"/>; a replaced
    /// key's public half stays trusted (signatures already sent still verify) until <see cref="RemoveFromTrustStore"/>.
    /// </summary>
    public static CentreKey Generate(CentreCode centre, string dir, bool overwrite = false)
    {
        var privatePath = PrivateKeyPath(dir, centre);
        if (File.Exists(privatePath) && !overwrite)
            throw new KeyAlreadyExistsException(centre, privatePath);

        var centreDir = CentreDirectory(dir, centre);
        CreateOwnerOnlyDirectory(centreDir);
        var key = CentreKey.Generate(centre);
        WriteAtomically(privatePath, key.ToPrivateJwk(), privateFile: true);
        WriteAtomically(PublicKeyPath(dir, centre), key.PublicJwk.ToJson(), privateFile: false);
        AddToTrustStore(dir, key.PublicJwk);
        return key;
    }

    /// <summary>This centre's private key; refuses a file that group or others may read (as ssh does).</summary>
    public static CentreKey LoadPrivate(string dir, CentreCode centre)
    {
        var path = PrivateKeyPath(dir, centre);
        if (!File.Exists(path))
            throw new KeyStoreException($"Centre {centre} has no private key at '{path}'. Generate one first.");
        SecretFiles.RequireOwnerOnly(path, "The private key");

        CentreKey key;
        try
        {
            key = CentreKey.FromPrivateJwk(File.ReadAllBytes(path));
        }
        catch (KeyFormatException e)
        {
            throw new KeyStoreException($"{path}: {e.Message}");
        }
        if (key.Centre != centre)
        {
            var other = key.Centre;
            key.Dispose();
            throw new KeyStoreException($"'{path}' holds a key of centre {other}, not {centre}.");
        }
        return key;
    }

    public static Jwk LoadPublic(string dir, CentreCode centre) => ReadPublicKeys(PublicKeyPath(dir, centre)).Keys.Single();

    /// <summary>The trust store; a node without one cannot verify anything, so a missing file is an error.</summary>
    public static JwkSet LoadTrustedKeys(string dir)
    {
        var path = TrustStorePath(dir);
        if (!File.Exists(path))
            throw new KeyStoreException($"No trust store at '{path}'. Generate this centre's key or import counterparts' public keys first.");
        try
        {
            return JwkSet.Load(path);
        }
        catch (KeyFormatException e)
        {
            throw new KeyStoreException(e.Message);
        }
    }

    /// <summary>Adds (or confirms) a public key in the trust store, creating the store if needed.</summary>
    public static JwkSet AddToTrustStore(string dir, Jwk key) => AddToTrustStore(dir, new JwkSet([key]));

    public static JwkSet AddToTrustStore(string dir, JwkSet keys)
    {
        Directory.CreateDirectory(dir);
        var path = TrustStorePath(dir);
        var store = File.Exists(path) ? LoadTrustedKeys(dir) : JwkSet.Empty;
        try
        {
            store = keys.Keys.Aggregate(store, (set, key) => set.With(key));
        }
        catch (KeyFormatException e)
        {
            throw new KeyStoreException(e.Message);
        }
        store.Save(path);
        return store;
    }

    /// <summary>Imports a counterpart's published keys: a file holding one public JWK or a JWK Set.</summary>
    public static JwkSet Import(string dir, string publicKeyFile) => AddToTrustStore(dir, ReadPublicKeys(publicKeyFile));

    /// <summary>Stops trusting a key (revoked or retired); messages it signed no longer verify.</summary>
    public static JwkSet RemoveFromTrustStore(string dir, string kid)
    {
        var store = LoadTrustedKeys(dir);
        if (store.Find(kid) is null)
            throw new KeyStoreException($"Key '{kid}' is not in the trust store '{TrustStorePath(dir)}'.");
        store = store.Without(kid);
        store.Save(TrustStorePath(dir));
        return store;
    }

    /// <summary>The lifecycle of trusted keys (<c>key-status.json</c>); no file means no key is retired or revoked.</summary>
    public static KeyStatuses LoadStatuses(string dir)
    {
        var path = StatusPath(dir);
        if (!File.Exists(path))
            return KeyStatuses.None;
        try
        {
            return KeyStatuses.Parse(File.ReadAllBytes(path));
        }
        catch (KeyFormatException e)
        {
            throw new KeyStoreException($"{path}: {e.Message}");
        }
    }

    /// <summary>Records a key's status (merged: a revocation or retirement is only ever brought forward).</summary>
    public static KeyStatuses SetStatus(string dir, KeyStatus status)
    {
        var statuses = LoadStatuses(dir).With(status);
        WriteAtomically(StatusPath(dir), statuses.ToJson(), privateFile: false);
        return statuses;
    }

    /// <summary>
    /// Makes a new signing key for <paramref name="centre"/> and trusts it; the previous key leaves the private file at once
    /// but stays valid for verification until <paramref name="now"/> + <paramref name="overlap"/> (messages in flight and
    /// counterparts that have not yet learnt the new key keep working).
    /// </summary>
    public static (CentreKey Key, string PreviousKid, Instant PreviousRetiresAt) Rotate(CentreCode centre, string dir, Duration overlap, Instant now)
    {
        if (overlap < Duration.Zero)
            throw new KeyStoreException($"The overlap must not be negative (it is {overlap}).");
        string previousKid;
        using (var previous = LoadPrivate(dir, centre))
            previousKid = previous.Kid;
        var key = Generate(centre, dir, overwrite: true);
        var retiresAt = now + overlap;
        SetStatus(dir, new KeyStatus(previousKid, retiresAt, null, null));
        return (key, previousKid, retiresAt);
    }

    /// <summary>
    /// Marks a trusted key revoked from <paramref name="at"/> on: signatures checked from then on are refused; evidence
    /// signed before still verifies, with the revocation shown. This centre's current signing key cannot be revoked
    /// (rotate first), or the node would sign with a key nobody accepts.
    /// </summary>
    public static KeyStatus Revoke(string dir, string kid, Instant at, string? reason)
    {
        var store = LoadTrustedKeys(dir);
        if (store.Find(kid) is not { } key)
            throw new KeyStoreException($"Key '{kid}' is not in the trust store '{TrustStorePath(dir)}'; nothing to revoke.");
        if (File.Exists(PublicKeyPath(dir, key.Centre)) && LoadPublic(dir, key.Centre).Kid == kid)
            throw new KeyStoreException($"Key '{kid}' is centre {key.Centre}'s current signing key; rotate it first, then revoke it.");
        var status = new KeyStatus(kid, null, at, reason);
        return SetStatus(dir, status).Find(kid)!;
    }

    /// <summary>One public JWK or a JWK Set from a file.</summary>
    public static JwkSet ReadPublicKeys(string path)
    {
        if (!File.Exists(path))
            throw new KeyStoreException($"No public key file at '{path}'.");
        try
        {
            using var document = JsonFiles.Parse(File.ReadAllBytes(path), path);
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("keys", out _)
                ? JwkSet.FromJson(root)
                : new JwkSet([Jwk.FromJson(root)]);
        }
        catch (KeyFormatException e)
        {
            throw new KeyStoreException($"{path}: {e.Message}");
        }
    }

    internal static void WriteAtomically(string path, byte[] content, bool privateFile)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = privateFile ? OwnerOnlyFile : PublicFile;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, privateFile ? OwnerOnlyFile : PublicFile);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (privateFile)
                Array.Clear(content);
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    private static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, OwnerOnlyDirectory);
        File.SetUnixFileMode(path, OwnerOnlyDirectory);
    }
}

/// <summary>A key store operation that cannot go ahead, with what to do about it.</summary>
public class KeyStoreException(string message) : Exception(message);

/// <summary>Generating a key for a centre that already has one (replacing it needs an explicit choice).</summary>
public sealed class KeyAlreadyExistsException(CentreCode centre, string path) : KeyStoreException(
    $"Centre {centre} already has a private key at '{path}'. Replacing it breaks verification by counterparts until they learn the new public key.")
{
    public CentreCode Centre { get; } = centre;
}

/// <summary>Files that hold secrets (private keys, passwords): owner-only (0600), checked before they are read.</summary>
public static class SecretFiles
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Whether group or others may read or write the file (never on Windows, which has no such modes).</summary>
    public static bool OpenToOthers(string path) => !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0;

    /// <summary>Refuses a secret file that group or others may read or write, as ssh does, saying how to fix it.</summary>
    public static void RequireOwnerOnly(string path, string what)
    {
        if (!OperatingSystem.IsWindows() && OpenToOthers(path))
            throw new KeyStoreException($"{what} '{path}' is accessible to group or others (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}); "
                + $"restrict it with 'chmod 600 {path}' and start again.");
    }
}
