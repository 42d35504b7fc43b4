using LaunchNotify.Tests.Shared;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// <c>launchnotify demo</c> as an operator runs it: the built CLI starts US, RU and CN publisher and subscriber
/// processes against the project-local broker and prints the timeline.
/// </summary>
/// <remarks>
/// The demo provisions US, RU and CN with passwords of its own, which the fixture's connections for those centres then
/// no longer match; the test gives the fixture's passwords back afterwards, so the collection's later tests still log in.
/// </remarks>
[Collection(BrokerCollection.Name)]
public sealed class DemoEndToEndTests(BrokerFixture broker, ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_RunAsAProcess_ExitsZeroWithConfirmedDeliveriesAndTheExpectedRefusals()
    {
        CliProcess.Result run;
        try
        {
            run = await CliProcess.RunAsync(["demo", "--timeout", "90"], TimeSpan.FromMinutes(4));
        }
        finally
        {
            await broker.Provisioner.ProvisionAsync(broker.Credentials.Values);
        }
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var text = run.Flat;
        Assert.Contains("Demo passed: every notification ended as expected.", text);
        // The timeline: each accepted notification confirmed by its recipient's signed receipt.
        Assert.Contains("confirmed by RU's signed receipt", text);
        Assert.Contains("confirmed by US's signed receipt", text);
        Assert.Contains("received by RU: broker identity ✓, signature ✓, schema ✓, stored once", text);
        Assert.Contains("US noted LATE_NOTIFICATION", text); // RU's Yars notice, sent 20 h ahead of a 24 h minimum
        Assert.DoesNotContain("no receipt from", text);
        // The refusals the scenario expects: out of the agreement's scope, and a draft without a launch window.
        Assert.Contains("SCOPE_CLASS_NOT_COVERED", text);
        Assert.Contains("ATACMS short-range test notified under the ICBM/SLBM agreement: refused as expected", text);
        Assert.Contains("A draft with no launch window: rejected as malformed as expected", text);
        // The accounts the demo makes, each acting within its role (issue 13): the duty officers read a notice and
        // acknowledge an alarm under their token's name, the compliance officers export evidence and cannot submit.
        Assert.Contains("accounts at each centre: ", text);
        Assert.Contains("(operator)", text);
        Assert.Contains("RU's duty officer acknowledged the alarm: recorded as acknowledged by", text);
        Assert.Matches(@"'s duty officer \S+ read (US|RU)'s notice", text);
        Assert.Contains("compliance officer exported the evidence for", text);
        Assert.Contains("US's compliance officer tried to submit a notification and was refused", text);
        Assert.DoesNotContain("✗", text);
    }
}
