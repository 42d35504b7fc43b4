using LaunchNotify.Node.Accounts;
using Microsoft.AspNetCore.Hosting;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>
/// The publisher configured for an external provider: its authority, the audience and the provider's claim names
/// (<c>roles</c>, <c>preferred_username</c>); with <paramref name="dashboardClient"/>, the dashboard's client at the
/// provider too (<see cref="LoopbackOidcProvider.ClientId"/>, its secret in a file of mode 0600).
/// </summary>
public sealed class ExternalProviderPublisher(string authority, bool dashboardClient = false, bool onKestrel = false) : PublisherApp
{
    public const string Audience = "launchnotify-api";

    protected override bool SignsInTester => false;

    protected override bool OnKestrel => onKestrel;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("LaunchNotify:Auth:Authority", authority);
        builder.UseSetting("LaunchNotify:Auth:Audience", Audience);
        builder.UseSetting("LaunchNotify:Auth:RoleClaim", "roles");
        builder.UseSetting("LaunchNotify:Auth:NameClaim", "preferred_username");
        // The loopback providers speak plain HTTP; a real one is https (the default refuses http metadata).
        builder.UseSetting("LaunchNotify:Auth:RequireHttpsMetadata", "false");
        if (!dashboardClient)
            return;
        var secretFile = Path.Combine(Folder, "dashboard-client.secret");
        SecretFile.WriteOwnerOnly(secretFile, LoopbackOidcProvider.ClientSecret);
        builder.UseSetting("LaunchNotify:Auth:ClientId", LoopbackOidcProvider.ClientId);
        builder.UseSetting("LaunchNotify:Auth:ClientSecretFile", secretFile);
    }
}
