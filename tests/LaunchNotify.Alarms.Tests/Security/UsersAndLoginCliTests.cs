extern alias cli;
using System.CommandLine;
using cli::LaunchNotify.Cli.Commands;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Tests.Shared;
using Spectre.Console;

namespace LaunchNotify.Alarms.Tests.Security;

/// <summary>`launchnotify users` on the store and `launchnotify login` against the publisher on a real loopback port.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UsersAndLoginCliTests(KestrelPublisherApp app) : IClassFixture<KestrelPublisherApp>, IDisposable
{
    private readonly StringWriter _out = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("launchnotify-cli-auth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<int> RunUsersAsync(params string[] args)
    {
        _ = app.Address; // the app makes its store at start
        var console = Console();
        return await new RootCommand { UsersCommand.Create(console) }.Parse(["users", .. args, "--store", app.StoreOptions.ToString()])
            .InvokeAsync(new InvocationConfiguration { Output = _out, Error = _out });
    }

    private async Task<int> RunLoginAsync(params string[] args)
    {
        var console = Console();
        return await new RootCommand { LoginCommand.Create(console) }.Parse(["login", .. args, "--url", app.Address.ToString()])
            .InvokeAsync(new InvocationConfiguration { Output = _out, Error = _out });
    }

    private IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(_out),
        });
        console.Profile.Width = 400;
        return console;
    }

    private string PasswordFile(string password, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, password + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public async Task UsersAdd_FromAReadableByOthersPasswordFile_IsRefusedSayingChmod()
    {
        var file = PasswordFile("a-long-enough-password", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var exit = await RunUsersAsync("add", "wanda", "--role", NodeRoles.Operator, "--password-file", file);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains($"chmod 600 {file}", _out.ToString());
        Assert.DoesNotContain("wanda", (await ListAsync()).Select(a => a.Name));
    }

    [Fact]
    public async Task UsersAdd_UnknownRoleOrShortPassword_IsRefusedSayingWhatIsAllowed()
    {
        var file = PasswordFile("a-long-enough-password", SecretFile.OwnerOnly);
        Assert.Equal(ExitCodes.Failed, await RunUsersAsync("add", "wanda", "--role", "superuser", "--password-file", file));
        Assert.Contains("'superuser' is not a role; use operator, duty-officer, compliance-officer, administrator", _out.ToString());
        Assert.Equal(ExitCodes.Failed, await RunUsersAsync("add", "wanda", "--role", NodeRoles.Operator, "--password-file", PasswordFile("short", SecretFile.OwnerOnly)));
        Assert.Contains("at least 12 characters", _out.ToString());
    }

    [Fact]
    public async Task UsersAddLoginDisable_TheWholeLifeOfAnAccount()
    {
        var password = "victor-password-" + Guid.NewGuid().ToString("N")[..8];
        var file = PasswordFile(password, SecretFile.OwnerOnly);
        Environment.SetEnvironmentVariable(TokenStore.DirectoryVariable, Path.Combine(_dir, "tokens"));
        try
        {
            Assert.Equal(ExitCodes.Ok, await RunUsersAsync("add", "victor", "--role", NodeRoles.DutyOfficer, "--role", NodeRoles.ComplianceOfficer, "--password-file", file));
            Assert.Contains("Added victor (compliance-officer, duty-officer)", _out.ToString());

            Assert.Equal(ExitCodes.Ok, await RunLoginAsync("--user", "victor", "--password-file", file));
            Assert.Contains("as victor (compliance-officer, duty-officer)", _out.ToString());
            var tokenFile = TokenStore.PathFor(app.Address);
            Assert.Equal(SecretFile.OwnerOnly, File.GetUnixFileMode(tokenFile));
            Assert.DoesNotContain(password, File.ReadAllText(tokenFile));
            // The kept token works for the next command.
            using (var client = new PublisherClient(app.Address, TokenStore.Find(app.Address, null)))
                Assert.Equal(200, (await client.GetAsync("/v1/me", CancellationToken.None)).Status);

            Assert.Equal(ExitCodes.Ok, await RunUsersAsync("disable", "victor"));
            Assert.Contains("victor", (await ListAsync()).Where(a => a.Disabled).Select(a => a.Name));
            using (var client = new PublisherClient(app.Address, TokenStore.Find(app.Address, null)))
            {
                var refused = await Assert.ThrowsAsync<CliException>(() => client.GetAsync("/v1/me", CancellationToken.None));
                Assert.Contains("launchnotify login", refused.Message);
            }
            Assert.Equal(ExitCodes.Failed, await RunLoginAsync("--user", "victor", "--password-file", file));
            Assert.Contains("Sign-in refused", _out.ToString());
            Assert.DoesNotContain(password, _out.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(TokenStore.DirectoryVariable, null);
        }
    }

    /// <summary>
    /// `users reset` as an administrator runs it: a new password (the old one and the tokens made with it stop working),
    /// the account enabled again, and the roles replaced when --role is given.
    /// </summary>
    [Fact]
    public async Task UsersReset_NewPasswordAndRoles_EndTheOldPasswordAndTokens_AndReEnable()
    {
        var oldPassword = "yusuf-old-" + Guid.NewGuid().ToString("N")[..8];
        var newPassword = "yusuf-new-" + Guid.NewGuid().ToString("N")[..8];
        var oldFile = PasswordFile(oldPassword, SecretFile.OwnerOnly);
        var newFile = PasswordFile(newPassword, SecretFile.OwnerOnly);
        Environment.SetEnvironmentVariable(TokenStore.DirectoryVariable, Path.Combine(_dir, "tokens"));
        try
        {
            Assert.Equal(ExitCodes.Ok, await RunUsersAsync("add", "yusuf", "--role", NodeRoles.Operator, "--password-file", oldFile));
            Assert.Equal(ExitCodes.Ok, await RunLoginAsync("--user", "yusuf", "--password-file", oldFile));
            var oldToken = TokenStore.Find(app.Address, null);
            Assert.Equal(ExitCodes.Ok, await RunUsersAsync("disable", "yusuf"));

            Assert.Equal(ExitCodes.Ok, await RunUsersAsync("reset", "yusuf", "--role", NodeRoles.DutyOfficer, "--password-file", newFile));
            Assert.Contains("Reset yusuf (duty-officer)", _out.ToString());
            var yusuf = Assert.Single(await ListAsync(), a => a.Name == "yusuf");
            Assert.False(yusuf.Disabled);

            using (var client = new PublisherClient(app.Address, oldToken))
                await Assert.ThrowsAsync<CliException>(() => client.GetAsync("/v1/me", CancellationToken.None));
            Assert.Equal(ExitCodes.Failed, await RunLoginAsync("--user", "yusuf", "--password-file", oldFile));
            Assert.Equal(ExitCodes.Ok, await RunLoginAsync("--user", "yusuf", "--password-file", newFile));
            Assert.Contains("as yusuf (duty-officer)", _out.ToString());
            Assert.DoesNotContain(newPassword, _out.ToString());
            Assert.DoesNotContain(oldPassword, _out.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(TokenStore.DirectoryVariable, null);
        }
    }

    [Fact]
    public async Task UsersList_Json_IsJsonOnly()
    {
        await TestAccounts.AddAsync(app.StoreOptions, ("listed", NodeRoles.Administrator));
        Assert.Equal(ExitCodes.Ok, await RunUsersAsync("list", "--json"));
        var accounts = System.Text.Json.Nodes.JsonNode.Parse(_out.ToString())!.AsArray();
        Assert.Contains(accounts, a => a!["name"]!.ToString() == "listed" && a["roles"]![0]!.ToString() == NodeRoles.Administrator);
        Assert.DoesNotContain("PasswordHash", _out.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<IReadOnlyList<AccountView>> ListAsync()
    {
        await using var store = await AccountStore.OpenAsync(app.StoreOptions, NodaTime.SystemClock.Instance, CancellationToken.None);
        return await store.Book.ListAsync(CancellationToken.None);
    }
}
