using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// The deployables started as processes with one wrong or missing setting each: they stop before doing anything, with
/// exit code 78 and one line on stderr naming the key, the value and what is allowed. No broker is needed.
/// </summary>
public sealed class SettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-settings-").FullName;
    private readonly string _keys;

    public SettingsTests()
    {
        _keys = Path.Combine(_folder, "keys");
        KeyStore.Generate(new CentreCode("US"), _keys);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Valid() => new()
    {
        ["LaunchNotify__Centre"] = "US",
        ["LaunchNotify__Store"] = $"sqlite:{Path.Combine(_folder, "node.db")}",
        ["LaunchNotify__KeysDirectory"] = _keys,
        ["LaunchNotify__Broker__Port"] = DeployableProcess.FreePort().ToString(),
        ["LaunchNotify__Broker__Password"] = "unused",
        ["LaunchNotify__HttpUrl"] = $"http://127.0.0.1:{DeployableProcess.FreePort()}",
    };

    private static async Task<DeployableProcess> FailedStartAsync(string deployable, Dictionary<string, string> environment, int expectedExit = 78)
    {
        var process = DeployableProcess.Start(deployable, environment);
        try
        {
            var exit = await process.ExitCodeAsync(TimeSpan.FromMinutes(1));
            Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}:\n{process.Output}");
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [InlineData("Publisher")]
    [InlineData("Subscriber")]
    public async Task Start_WithMaxMessageBytesNotANumber_StopsWithOneLineNamingKeyValueAndRange(string deployable)
    {
        var environment = Valid();
        environment["LaunchNotify__MaxMessageBytes"] = "abc";

        await using var process = await FailedStartAsync(deployable, environment);

        var line = Assert.Single(process.StandardError);
        Assert.Equal("launchnotify: configuration: LaunchNotify:MaxMessageBytes = 'abc' (env LaunchNotify__MaxMessageBytes): must be a whole number of bytes from 1024 to 16777216", line);
        Assert.False(File.Exists(Path.Combine(_folder, "node.db")), "no store may be created before the settings are checked");
    }

    [Fact]
    public async Task Start_WithoutACentre_StopsWithOneLineSayingItIsRequired()
    {
        var environment = Valid();
        environment.Remove("LaunchNotify__Centre");

        await using var process = await FailedStartAsync("Subscriber", environment);

        var line = Assert.Single(process.StandardError);
        Assert.Contains("LaunchNotify:Centre = (not set) (env LaunchNotify__Centre): required", line);
    }

    [Fact]
    public async Task Start_WithTheScriptsBrokerPortVariableOutOfRange_NamesThatVariable()
    {
        // LAUNCHNOTIFY_AMQP_PORT (the infra scripts' name) is read by the services too, below LaunchNotify__Broker__Port.
        var environment = Valid();
        environment.Remove("LaunchNotify__Broker__Port");
        environment["LAUNCHNOTIFY_AMQP_PORT"] = "70000";

        await using var process = await FailedStartAsync("Publisher", environment);

        var line = Assert.Single(process.StandardError);
        Assert.Contains("LaunchNotify:Broker:Port = '70000' (env LaunchNotify__Broker__Port or LAUNCHNOTIFY_AMQP_PORT): must be a TCP port, 1-65535", line);
    }

    [Fact]
    public async Task Start_WithAKeysFolderThatDoesNotExist_AndAMisspelledMigrationsMode_ListsBoth()
    {
        var environment = Valid();
        environment["LaunchNotify__KeysDirectory"] = Path.Combine(_folder, "no-such-folder");
        environment["LaunchNotify__Migrations"] = "Sometimes";

        await using var process = await FailedStartAsync("Publisher", environment);

        Assert.Equal(2, process.StandardError.Count);
        Assert.Contains(process.StandardError, l => l.Contains("LaunchNotify:Migrations = 'Sometimes'") && l.EndsWith("must be OnStart or Manual"));
        Assert.Contains(process.StandardError, l => l.Contains($"LaunchNotify:KeysDirectory = '{Path.Combine(_folder, "no-such-folder")}'") && l.EndsWith("must be an existing folder"));
    }

    [Theory]
    [InlineData("Publisher")]
    [InlineData("Subscriber")]
    public async Task Start_WithATopologyKindNotKnown_StopsWithOneLineNamingKeyValueAndTheKinds(string deployable)
    {
        var environment = Valid();
        environment["LaunchNotify__Topology__Kind"] = "mesh";

        await using var process = await FailedStartAsync(deployable, environment);

        var line = Assert.Single(process.StandardError);
        Assert.Equal("launchnotify: configuration: LaunchNotify:Topology:Kind = 'mesh' (env LaunchNotify__Topology__Kind): must be hub or federated (docs/deployment.md)", line);
    }

    [Fact]
    public async Task Start_FederatedWithoutItsBrokersManagementApi_AndALinkThresholdNotADuration_ListsBoth()
    {
        var environment = Valid();
        environment["LaunchNotify__Topology__Kind"] = "federated";
        environment["LaunchNotify__Topology__LinkSilentAfter"] = "5 minutes";

        await using var process = await FailedStartAsync("Publisher", environment);

        Assert.Equal(2, process.StandardError.Count);
        Assert.Contains(process.StandardError, l => l.StartsWith("launchnotify: configuration: LaunchNotify:Topology:Management:Url = (not set) (env LaunchNotify__Topology__Management__Url): required when Topology:Kind is federated"));
        Assert.Contains(process.StandardError, l => l.StartsWith("launchnotify: configuration: LaunchNotify:Topology:LinkSilentAfter = '5 minutes' (env LaunchNotify__Topology__LinkSilentAfter): must be a TimeSpan"));
        Assert.False(File.Exists(Path.Combine(_folder, "node.db")), "no store may be created before the settings are checked");
    }

    [Theory]
    [InlineData("Publisher")]
    [InlineData("Subscriber")]
    public async Task Start_WithTheRetiredDashboardLogin_IsRefusedWithOneLineSayingWhatReplacedIt(string deployable)
    {
        var environment = Valid();
        environment["LaunchNotify__Dashboard__Password"] = "the-old-dashboard-password";

        await using var process = await FailedStartAsync(deployable, environment);

        var line = Assert.Single(process.StandardError);
        Assert.StartsWith("launchnotify: configuration: LaunchNotify:Dashboard:Password = '***' (env LaunchNotify__Dashboard__Password): is no longer read", line);
        Assert.Contains("launchnotify users add NAME --role compliance-officer", line);
        Assert.DoesNotContain("the-old-dashboard-password", process.Output);
    }

    [Fact]
    public async Task Start_OnAStoreNewerThanTheBuild_IsRefusedWithOneLine()
    {
        var path = Path.Combine(_folder, "node.db");
        await StoreMigrator.MigrateAsync(StorageOptions.SqliteFile(path));
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """INSERT INTO "__EFMigrationsHistory" ("MigrationId","ProductVersion") VALUES ('29991231000000_FromTheFuture','99.0.0')""";
            await insert.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        await using var process = await FailedStartAsync("Publisher", Valid(), expectedExit: 65);

        var line = Assert.Single(process.StandardError);
        Assert.StartsWith("launchnotify: store: ", line);
        Assert.Contains("newer LaunchNotify build (migrations 29991231000000_FromTheFuture", line);
    }
}
