using System.Security.Cryptography;
using LaunchNotify.Node.Accounts;
using Microsoft.IdentityModel.Tokens;

namespace LaunchNotify.Node.Security;

/// <summary>
/// The embedded provider's token signing key: an RSA key in a PEM file readable by its owner only, made on first start.
/// Kept across restarts so tokens issued before a restart stay valid until they expire.
/// </summary>
public static class TokenSigningKey
{
    public static RsaSecurityKey LoadOrCreate(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            var pem = SecretFile.ReadOwnerOnly(path, "The API token signing key (LaunchNotify:Auth:SigningKeyFile)");
            try
            {
                rsa.ImportFromPem(pem);
            }
            catch (ArgumentException e)
            {
                throw new SecretFileException($"The API token signing key '{path}' is not an RSA private key in PEM ({e.Message}); delete it to have a new one made (signed-in users sign in again).");
            }
        }
        else
        {
            rsa.KeySize = 2048;
            // Written aside and moved in, so a second process starting at the same time never reads half a key.
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            SecretFile.WriteOwnerOnly(temporary, rsa.ExportPkcs8PrivateKeyPem());
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
                rsa.Dispose();
                return LoadOrCreate(path);
            }
        }
        var key = new RsaSecurityKey(rsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }
}
