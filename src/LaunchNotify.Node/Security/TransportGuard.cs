using System.Net;
using Microsoft.Extensions.Configuration;

namespace LaunchNotify.Node.Security;

/// <summary>
/// The API (and the subscriber's health and metrics) listen off loopback only with TLS: every address it would bind that is not loopback must be https with a
/// Kestrel certificate configured. Checked before anything binds, so a wrong configuration stops the process at start.
/// </summary>
public static class TransportGuard
{
    /// <summary>The problems with the configured addresses (empty when all is well).</summary>
    /// <param name="key">The setting that gave <paramref name="httpUrl"/> (the publisher's LaunchNotify:HttpUrl, the subscriber's LaunchNotify:Subscriber:HttpUrl).</param>
    public static IReadOnlyList<string> Check(IConfiguration configuration, string httpUrl, string key = "LaunchNotify:HttpUrl")
    {
        var problems = new List<string>();
        var kestrel = configuration.GetSection("Kestrel");
        var defaultCertificate = HasCertificate(kestrel.GetSection("Certificates:Default"));
        var endpoints = kestrel.GetSection("Endpoints").GetChildren().ToList();
        // Kestrel's own endpoints replace the URL given by LaunchNotify:HttpUrl when configured.
        var addresses = endpoints.Count > 0
            ? endpoints.Select(e => (Url: e["Url"] ?? "", Certificate: defaultCertificate || HasCertificate(e.GetSection("Certificate")), Name: $"Kestrel:Endpoints:{e.Key}:Url"))
            : [(Url: httpUrl, Certificate: defaultCertificate, Name: key)];
        foreach (var (url, certificate, name) in addresses)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri))
            {
                problems.Add($"{name} '{url}' is not a URL; write it like http://127.0.0.1:5080.");
                continue;
            }
            if (IsLoopback(uri.Host))
                continue;
            if (uri.Scheme != Uri.UriSchemeHttps)
                problems.Add($"Refusing to listen on {url} ({name}): it is not a loopback address and it is not https. " +
                             "Off loopback the node needs TLS: use an https:// URL and configure Kestrel's certificate " +
                             "(Kestrel:Certificates:Default:Path and :KeyPath, or :Password); see docs/security.md.");
            else if (!certificate)
                problems.Add($"Refusing to listen on {url} ({name}) without a certificate: set Kestrel:Certificates:Default:Path (and :KeyPath) " +
                             $"or Kestrel:Endpoints:<name>:Certificate; see docs/security.md.");
        }
        return problems;
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static bool HasCertificate(IConfigurationSection certificate) =>
        certificate["Path"] is { Length: > 0 } || certificate["Subject"] is { Length: > 0 };
}
