using LaunchNotify.Node.Maps;
using LaunchNotify.Node.Reports;
using LaunchNotify.Web.Shared;

namespace LaunchNotify.Web.Report;

/// <summary>The report as a self-contained HTML page (<see cref="ReportPage"/>), as the CLI writes it.</summary>
public static class ReportHtml
{
    public static Task<string> PageAsync(TimelinessReport report, MapData? map = null) =>
        ComponentHtml.RenderAsync<ReportPage>(new Dictionary<string, object?> { [nameof(ReportPage.Report)] = report, [nameof(ReportPage.Map)] = map });
}
