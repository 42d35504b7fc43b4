using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Reports;
using LaunchNotify.Presentation;
using LaunchNotify.Web.Shared;

namespace LaunchNotify.Web.Report;

/// <summary>The report as a self-contained HTML page (<see cref="ReportPage"/>), as the CLI writes it.</summary>
public static class ReportHtml
{
    /// <param name="rendering">The reader's language and zone; English and UTC when not given.</param>
    public static Task<string> PageAsync(TimelinessReport report, MapData? map = null, Rendering? rendering = null) =>
        ComponentHtml.RenderAsync<ReportPage>(new Dictionary<string, object?>
            { [nameof(ReportPage.Report)] = report, [nameof(ReportPage.Map)] = map, [nameof(ReportPage.Rendering)] = rendering });
}
