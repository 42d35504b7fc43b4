using System.Globalization;
using Humanizer;
using LaunchNotify.Tests.Shared;

namespace LaunchNotify.Presentation.Tests;

/// <summary>
/// The built CLI run as an operator runs it: the rule-error table of <c>validate</c> and the <c>agreements</c> and
/// <c>keys list</c> tables in the language of <c>--lang</c>, else of the centre's setting in the environment.
/// </summary>
public sealed class CliLanguageProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private const string UsIcbm = "schemas/examples/valid/prenotification-us-icbm-vandenberg-to-kwajalein.json";

    /// <summary>Two hours before the example's window opens (2026-11-24T07:01Z): 22 h short of US–RU's 24 h.</summary>
    private static readonly string[] LateValidate = ["validate", UsIcbm, "--at", "2026-11-24T05:01:00Z"];

    private static readonly Dictionary<string, string?> NoCentreSetting = new()
    {
        ["LaunchNotify__Rendering__Language"] = null, ["LaunchNotify__Rendering__TimeZone"] = null,
    };

    /// <summary>The output without the table's borders, white space runs as one: a long cell wraps over several lines.</summary>
    private static string Unboxed(CliProcess.Result run) => System.Text.RegularExpressions.Regex.Replace(run.Output.Replace('│', ' '), @"\s+", " ");

    private static string Hours(int n, string culture) => $"{n} {TimeUnit.Hour.ToSymbol(CultureInfo.GetCultureInfo(culture))}";

    [Fact]
    public async Task Validate_WithLangRu_PrintsTheRuleErrorTableInRussianWithItsFigures()
    {
        var run = await CliProcess.RunAsync([.. LateValidate, "--lang", "ru"], Timeout, NoCentreSetting);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("Ошибки", run.Output);
        Assert.Contains("код", run.Output);
        Assert.Contains("LEAD_TIME_TOO_SHORT", run.Output);
        Assert.Contains($"Уведомление за {Hours(2, "ru-RU")}", Unboxed(run));
        Assert.Contains($"опоздание на {Hours(22, "ru-RU")}", Unboxed(run));
        Assert.DoesNotContain("Notified", run.Output);
    }

    [Fact]
    public async Task Validate_WithoutLang_FollowsTheCentresLanguage_AndEnglishIsTheDomainsSentence()
    {
        var french = await CliProcess.RunAsync(LateValidate, Timeout,
            new Dictionary<string, string?> { ["LaunchNotify__Rendering__Language"] = "fr", ["LaunchNotify__Rendering__TimeZone"] = null });
        Assert.True(french.ExitCode == 1, french.ToString());
        Assert.Contains("Erreurs", french.Output);
        Assert.Contains($"Notifié {Hours(2, "fr-FR")} avant l'ouverture de la fenêtre", Unboxed(french));

        var english = await CliProcess.RunAsync(LateValidate, Timeout, NoCentreSetting);
        Assert.True(english.ExitCode == 1, english.ToString());
        Assert.Contains("Errors", english.Output);
        Assert.Contains("Notified 2 h before the window opens; us-ru-bmlna-1988 requires at least 24 h (late by 22 h).", Unboxed(english));
    }

    /// <summary>A file the schemas refuse (a heartbeat's interval of 0, under the schema's minimum of 1), in three languages.</summary>
    [Theory]
    [InlineData("fr", "« /intervalSeconds » doit valoir au moins 1.", "Erreurs")]
    [InlineData("ru", "«/intervalSeconds» должно быть не меньше 1.", "Ошибки")]
    [InlineData("zh", "“/intervalSeconds”必须不小于 1。", "错误")]
    public async Task Validate_ARefusedFile_SaysItsSchemaErrorInTheLanguageOfLang(string lang, string sentence, string title)
    {
        var run = await CliProcess.RunAsync(["validate", "schemas/examples/invalid/heartbeat-interval-zero.json", "--lang", lang], Timeout, NoCentreSetting);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(title, run.Output);
        Assert.Contains("SCHEMA_OUT_OF_RANGE", run.Output);
        Assert.Contains(sentence, Unboxed(run));
        Assert.DoesNotContain("should be", run.Output);
    }

    /// <summary>Text that is not JSON: the reader's place in it, in French and Russian; English keeps the JSON reader's own words.</summary>
    [Fact]
    public async Task Validate_MalformedJson_SaysWhereInTheReadersLanguage()
    {
        var french = await CliProcess.RunAsync(["validate", "schemas/examples/invalid/malformed-trailing-content.json.txt", "--lang", "fr"], Timeout, NoCentreSetting);
        Assert.True(french.ExitCode == 1, french.ToString());
        Assert.Contains("JSON_MALFORMED", french.Output);
        Assert.Matches(@"JSON mal formé à la ligne \d+, octet \d+", Unboxed(french));

        var russian = await CliProcess.RunAsync(["validate", "schemas/examples/invalid/malformed-trailing-content.json.txt", "--lang", "ru"], Timeout, NoCentreSetting);
        Assert.Matches(@"Некорректный JSON в строке \d+, байт \d+", Unboxed(russian));

        var english = await CliProcess.RunAsync(["validate", "schemas/examples/invalid/malformed-trailing-content.json.txt"], Timeout, NoCentreSetting);
        Assert.Contains("Not well-formed JSON:", Unboxed(english));
    }

    [Fact]
    public async Task Validate_WithAnUnknownLanguage_SaysWhatIsAllowed()
    {
        var run = await CliProcess.RunAsync([.. LateValidate, "--lang", "de"], Timeout, NoCentreSetting);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--lang", run.Output);
        Assert.Contains("zh", run.Output);
    }

    [Fact]
    public async Task Agreements_WithLangZh_PrintsHeadingsClassesAndLeadTimesInChinese()
    {
        var run = await CliProcess.RunAsync(["agreements", "--lang", "zh"], Timeout, NoCentreSetting);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("提前通报时间", run.Output);
        Assert.Contains("洲际弹道导弹", run.Output);
        Assert.Contains("us-ru-bmlna-1988", run.Output);
        Assert.Contains(Hours(24, "zh-CN"), run.Output);
        Assert.DoesNotContain("lead time", run.Output);
    }

    [Fact]
    public async Task KeysList_WithLangFr_PrintsHeadingsAndStatesInFrench()
    {
        var dir = Directory.CreateTempSubdirectory("ln-keys-lang-");
        try
        {
            var generated = await CliProcess.RunAsync(["keys", "generate", "--centre", "US", "--dir", dir.FullName], Timeout, NoCentreSetting);
            Assert.True(generated.ExitCode == 0, generated.ToString());

            var run = await CliProcess.RunAsync(["keys", "list", "--dir", dir.FullName, "--lang", "fr"], Timeout, NoCentreSetting);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("empreinte", run.Output);
            Assert.Contains("valide", run.Output);
            Assert.DoesNotContain("thumbprint", run.Output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The keys commands' confirmations in Russian and Chinese: generate, rotate (with the overlap's end in the reader's zone), revoke.</summary>
    [Fact]
    public async Task KeysGenerateRotateRevoke_WithLang_ConfirmInTheReadersLanguage()
    {
        var dir = Directory.CreateTempSubdirectory("ln-keys-confirm-");
        try
        {
            var generated = await CliProcess.RunAsync(["keys", "generate", "--centre", "US", "--dir", dir.FullName, "--lang", "ru"], Timeout, NoCentreSetting);
            Assert.True(generated.ExitCode == 0, generated.ToString());
            Assert.Contains("центр US: идентификатор ключа US-", generated.Flat);
            Assert.Contains("закрытый ключ (режим 0600", generated.Flat);
            Assert.DoesNotContain("thumbprint", generated.Output);

            var rotated = await CliProcess.RunAsync(["keys", "rotate", "--centre", "US", "--dir", dir.FullName, "--overlap", "72h", "--lang", "zh", "--tz", "Asia/Shanghai"],
                Timeout, NoCentreSetting);
            Assert.True(rotated.ExitCode == 0, rotated.ToString());
            Assert.Contains("中心 US 现在使用 US-", rotated.Flat);
            Assert.Matches(@"US-\S+ 在 \d{4}/\d{1,2}/\d{1,2} .*UTC\+08:00 之前仍可用于验证", rotated.Flat);
            Assert.Contains("对方中心必须在", rotated.Flat);

            var kid = System.Text.RegularExpressions.Regex.Match(generated.Flat, @"идентификатор ключа (US-\S+)").Groups[1].Value;
            var revoked = await CliProcess.RunAsync(["keys", "revoke", kid, "--dir", dir.FullName, "--at", "2026-01-01T00:00:00Z", "--reason", "test", "--lang", "fr"],
                Timeout, NoCentreSetting);
            Assert.True(revoked.ExitCode == 0, revoked.ToString());
            Assert.Contains($"{kid} révoquée à partir du 01/01/2026 00:00:00 UTC (test)", revoked.Flat);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
