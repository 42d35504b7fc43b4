extern alias cli;
using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using cli::LaunchNotify.Cli.Commands;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Accounts;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Spectre.Console;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Alarms.Tests;

/// <summary>The CLI against a publisher on a real loopback port, its output captured.</summary>
public sealed class CliTests : IClassFixture<KestrelPublisherApp>
{
    private readonly KestrelPublisherApp _app;
    private readonly Output _out = new();
    private readonly IAnsiConsole _console;

    public CliTests(KestrelPublisherApp app)
    {
        _app = app;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_out),
        });
        _console.Profile.Width = 400;
    }

    private Task<int> RunAsync(Command command, params string[] args) => RunAsync(command, CancellationToken.None, args);

    private async Task<int> RunAsync(Command command, CancellationToken ct, params string[] args)
    {
        var root = new RootCommand { command };
        var config = new InvocationConfiguration { Output = _out, Error = _out };
        return await root.Parse([command.Name, .. args, .. UrlFor(args)]).InvokeAsync(config, ct);
    }

    /// <summary>The app's URL and, unless the test gives its own, a duty officer's token (reads alarms, acts on them, records launches).</summary>
    private string[] UrlFor(string[] args) =>
    [
        .. args.Contains("--url") ? Array.Empty<string>() : ["--url", _app.Address.ToString()],
        .. args.Contains("--token-file") || args.Contains("--no-token") ? Array.Empty<string>() : ["--token-file", _app.TokenFileFor(NodeRoles.DutyOfficer)],
    ];

    [Fact]
    public async Task AlarmsAck_AcknowledgesAndPrintsWhoDidIt()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.ReceiptOverdue);

        var exit = await RunAsync(AlarmsCommand.Create(_console), "ack", alarm.Id.ToString(), "--by", "Ames", "--comment", "calling RU");

        AssertExit(ExitCodes.Ok, exit);
        // The signed-in account, not the typed name; the typed name is ignored with a warning.
        Assert.Contains("ACKNOWLEDGED by duty-officer", _out.Text);
        Assert.Contains("--by is ignored", _out.Text);
        Assert.Contains("calling RU", _out.Text);
        var stored = await _app.Book.GetAsync(alarm.Id, CancellationToken.None);
        Assert.Equal(AlarmState.Acknowledged, stored!.State);
        Assert.Equal("calling RU", stored.AcknowledgeComment);
    }

    [Fact]
    public async Task AlarmsResolve_UnknownId_FailsSayingHowToFindIds()
    {
        var exit = await RunAsync(AlarmsCommand.Create(_console), "resolve", Guid.NewGuid().ToString(), "--by", "Ames");
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("has no alarm", _out.Text);
        Assert.Contains("launchnotify alarms", _out.Text);
    }

    [Fact]
    public async Task AlarmsAck_WithoutAToken_FailsSayingHowToSignIn()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        var root = new RootCommand { AlarmsCommand.Create(_console) };
        var exit = await root.Parse(["alarms", "ack", alarm.Id.ToString(), "--url", _app.Address.ToString()])
            .InvokeAsync(new InvocationConfiguration { Output = _out, Error = _out });
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("launchnotify login", _out.Text);
        Assert.Equal(AlarmState.Open, (await _app.Book.GetAsync(alarm.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task AlarmsAck_AsAnOperator_IsRefusedNamingTheRoles()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LinkSilent);
        var exit = await RunAsync(AlarmsCommand.Create(_console), "ack", alarm.Id.ToString(), "--token-file", _app.TokenFileFor(NodeRoles.Operator));
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("has the roles [operator]", _out.Text);
        Assert.Equal(AlarmState.Open, (await _app.Book.GetAsync(alarm.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Alarms_ListsOpenAlarmsOfAKindAsATable()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.PostLaunchOverdue, centre: "CN");

        var exit = await RunAsync(AlarmsCommand.Create(_console), "--open", "--kind", "POSTLAUNCH_OVERDUE");

        AssertExit(ExitCodes.Ok, exit);
        Assert.Contains(alarm.Id.ToString(), _out.Text);
        // The summary is the glossary's sentence for the kind with the alarm's fields (centre CN; nothing else was stored).
        Assert.Contains("Post-launch report from CN on notice – under – not received by –", _out.Text);
        Assert.DoesNotContain("RECEIPT_OVERDUE", _out.Text);
    }

    /// <summary>The publisher's query errors (INVALID_QUERY) in the reader's language, from their arguments: French and Chinese.</summary>
    [Fact]
    public async Task Alarms_BadQuery_WithLang_SaysThePublishersErrorsInThatLanguage()
    {
        var exit = await RunAsync(AlarmsCommand.Create(_console), "--state", "closed", "--kind", "LATE", "--lang", "fr");
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("QUERY_INVALID : state « closed » n'est pas l'une de ces valeurs : open, acknowledged, resolved.", _out.Text);
        Assert.Contains("QUERY_INVALID : kind « LATE » n'est pas l'une de ces valeurs : LATE_NOTIFICATION", _out.Text);
        Assert.DoesNotContain("is not one of", _out.Text);

        var chinese = await RunAsync(AlarmsCommand.Create(_console), "--since", "yesterday", "--lang", "zh");
        AssertExit(ExitCodes.Failed, chinese);
        Assert.Contains("since“yesterday”不是时刻", _out.Text);
    }

    [Fact]
    public async Task Alarms_BadKind_ShowsThePublishersAdvice()
    {
        var exit = await RunAsync(AlarmsCommand.Create(_console), "--kind", "LATE");
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("use one of LATE_NOTIFICATION", _out.Text);
    }

    [Fact]
    public async Task AlarmsFollow_PrintsAlarmsAsTheyAreRaisedAndChanged_UntilCancelled()
    {
        _ = _app.TokenFileFor(NodeRoles.DutyOfficer); // signed in before the clock starts (hashing a password is slow on a loaded machine)
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var follow = RunAsync(AlarmsCommand.Create(_console), cts.Token, "--follow", "--kind", "MISSING_NOTIFICATION");
        await WaitForAsync("Following new and changed alarms", cts.Token);

        var alarm = await _app.RaiseAsync(AlarmKind.MissingNotification);
        await WaitForAsync($"RAISED  warning  missing notification  RU  Numbers – from RU under – never arrived  ({alarm.Id})", cts.Token);
        await _app.Book.ResolveAsync(alarm.Id, new LaunchNotify.Storage.Audit.Actor("test:Kim", "Kim", ["duty-officer"]), "gap filled", CancellationToken.None);
        await WaitForAsync("RESOLVED by Kim", cts.Token);

        await cts.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await follow);
    }

    [Fact]
    public async Task LaunchesRecord_Uncovered_PrintsTheAlarm()
    {
        var exit = await RunAsync(LaunchesCommand.Create(_console), "record", "--at", "2026-03-10T11:30:00Z", "--lat", "34.74", "--lon", "-120.57",
            "--attributed", "gb", "--source", "cli-test");

        AssertExit(ExitCodes.Ok, exit);
        Assert.Contains("LAUNCH WITHOUT NOTIFICATION", _out.Text);
        await using var db = _app.Db();
        var launch = await db.ObservedLaunches.SingleAsync(l => l.Source == "cli-test");
        Assert.Equal(-120.57, launch.LaunchLon);
        Assert.Equal("GB", launch.AttributedCentre);
        Assert.Contains(launch.AlarmId!.Value.ToString(), _out.Text);
    }

    [Fact]
    public async Task LaunchesRecord_LatitudeOutOfRange_ExitsInvalidWithTheErrorTable()
    {
        var exit = await RunAsync(LaunchesCommand.Create(_console), "record", "--at", "2026-03-10T11:30:00Z", "--lat", "91", "--lon", "10", "--attributed", "RU");
        AssertExit(ExitCodes.Invalid, exit);
        Assert.Contains("NOT RECORDED", _out.Text);
        Assert.Contains("LATITUDE_OUT_OF_RANGE", _out.Text);
    }

    [Fact]
    public async Task LaunchesRecord_ImpactLatitudeWithoutLongitude_IsAParseError()
    {
        var exit = await RunAsync(LaunchesCommand.Create(_console), "record", "--at", "2026-03-10T11:30:00Z", "--lat", "1", "--lon", "2",
            "--attributed", "RU", "--impact-lat", "3");
        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("Give both --impact-lat and --impact-lon", _out.Text);
    }

    [Fact]
    public async Task LaunchesList_ShowsTheVerdicts()
    {
        await RunAsync(LaunchesCommand.Create(_console), "record", "--at", "2026-03-10T10:00:00Z", "--lat", "40.96", "--lon", "100.29",
            "--attributed", "CN", "--source", "list-test");
        var exit = await RunAsync(LaunchesCommand.Create(_console), "list");
        AssertExit(ExitCodes.Ok, exit);
        Assert.Contains("NOT NOTIFIED", _out.Text);
        Assert.Contains("40.96,100.29", _out.Text);
    }

    [Fact]
    public void RecordRequest_CarriesNegativeCoordinatesAndTheImpactPoint()
    {
        var command = LaunchesCommand.Create(_console);
        var parse = new RootCommand { command }.Parse(["launches", "record", "--at", "2026-03-10T11:30:00Z", "--lat", "-33.9", "--lon", "-70.5",
            "--impact-lat", "-20", "--impact-lon", "-75", "--attributed", "ru"]);
        Assert.Empty(parse.Errors);

        var request = LaunchesCommand.RecordRequest("2026-03-10T11:30:00Z", new(-33.9, -70.5), new(-20, -75), "ru", null, null, null);

        Assert.Equal(-70.5, request["launchPoint"]!["lon"]!.GetValue<double>());
        Assert.Equal(-20, request["impactPoint"]!["lat"]!.GetValue<double>());
        Assert.Equal("RU", request["attributedCentre"]!.ToString());
        Assert.Null(request["source"]);
    }

    [Fact]
    public void ChangeLine_SaysWhatHappenedAndWho()
    {
        var alarm = JsonNode.Parse("""
            {"id":"0f3a","version":2,"kind":"LINK_SILENT","severity":"warning","state":"acknowledged","counterpart":"RU",
             "summary":"RU silent for 15 min","changedAt":"2026-03-10T12:00:00Z","acknowledgedBy":"Ames","acknowledgeComment":"phoning"}
            """)!;
        Assert.Equal("10/03/2026 12:00:00 UTC  ACKNOWLEDGED by Ames  warning  link silent  RU  Nothing heard from RU on the link — \"phoning\"  (0f3a)",
            AlarmsCommand.ChangeLine(alarm));
        var paris = new LaunchNotify.Presentation.Rendering(LaunchNotify.Presentation.JsonGlossary.Default, LaunchNotify.Presentation.Language.Fr,
            LaunchNotify.Presentation.Zones.Find("Europe/Paris")!);
        Assert.Equal("10/03/2026 13:00:00 UTC+01:00  PRISE EN COMPTE par Ames  avertissement  liaison muette  RU  Rien reçu de RU sur la liaison — \"phoning\"  (0f3a)",
            AlarmsCommand.ChangeLine(alarm, paris));
    }

    [Fact]
    public async Task Alarms_WithLangAndTz_ListsInThatLanguageAndZone()
    {
        var alarm = await _app.RaiseAsync(AlarmKind.LaunchWithoutNotification, centre: "RU");

        var exit = await RunAsync(AlarmsCommand.Create(_console), "--kind", "LAUNCH_WITHOUT_NOTIFICATION", "--lang", "ru", "--tz", "Europe/Moscow");

        AssertExit(ExitCodes.Ok, exit);
        Assert.Contains(alarm.Id.ToString(), _out.Text);
        Assert.Contains("серьёзность", _out.Text);
        Assert.Contains("пуск без уведомления", _out.Text);
        Assert.Contains("критическая", _out.Text);
        // The summary too, from the glossary with the alarm's own fields (the node's English one is on 'alarms show').
        Assert.Contains("Пуск, приписанный RU, не охвачен ни одним уведомлением", _out.Text);
        Assert.Contains("UTC+03:00", _out.Text);
        Assert.DoesNotContain("severity", _out.Text);
    }

    [Fact]
    public async Task Alarms_WithALanguageTheGlossaryLacks_FailsSayingWhichItHas()
    {
        var exit = await RunAsync(AlarmsCommand.Create(_console), "--lang", "de");
        AssertExit(ExitCodes.Failed, exit);
        Assert.Contains("'de' is not a language of the glossary; use one of en, zh, fr, ru.", _out.Text);
    }

    [Fact]
    public void Query_CarriesEveryFilter() =>
        Assert.Equal("?limit=5&open=true&state=open&kind=LINK_SILENT&since=2026-03-10T00%3A00%3A00Z",
            AlarmsCommand.Query(true, "open", "LINK_SILENT", "2026-03-10T00:00:00Z", 5));

    private void AssertExit(int expected, int exit) => Assert.True(expected == exit, $"exit {exit}, expected {expected}; output:\n{_out.Text}");

    private async Task WaitForAsync(string text, CancellationToken ct)
    {
        while (!_out.Text.Contains(text))
        {
            ct.ThrowIfCancellationRequested();
            await Task.Delay(50, ct);
        }
    }

    /// <summary>A writer the command writes to from one task while the test reads it from another.</summary>
    private sealed class Output : StringWriter
    {
        private readonly object _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                    return ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
                base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_gate)
                base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
                base.Write(buffer, index, count);
        }

        public override Encoding Encoding => Encoding.UTF8;
    }
}
