using System.Text.Json;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Values;
using LaunchNotify.Storage.Entities;
using NodaTime;

namespace LaunchNotify.Node.Alarms;

/// <summary>
/// One alarm as the HTTP API lists it and the alarm feed publishes it (docs/alarms.md): the same JSON in both places.
/// </summary>
/// <param name="Centre">The centre that raised it (this node).</param>
/// <param name="Counterpart">The counterpart centre concerned (late sender, silent link, attributed launcher...).</param>
public sealed record AlarmView(
    Guid Id,
    int Version,
    string Centre,
    string Kind,
    string Severity,
    string State,
    string? Counterpart,
    string? AgreementId,
    Guid? MessageId,
    string? Sequences,
    string Summary,
    JsonElement? Details,
    Instant RaisedAt,
    Instant? DueAt,
    bool FiredAfterRestart,
    Instant ChangedAt,
    Instant? AcknowledgedAt,
    string? AcknowledgedBy,
    string? AcknowledgeComment,
    Instant? ResolvedAt,
    string? ResolvedBy,
    string? ResolveComment,
    string? AcknowledgedBySubject,
    string? ResolvedBySubject)
{
    public static AlarmView From(Alarm a, CentreCode centre) => new(
        a.Id, a.Version, centre.Value, a.Kind.Code(), Lower(a.Severity), Lower(a.State), a.Centre, a.AgreementId, a.MessageId, a.Sequences,
        a.Summary, ParseDetails(a.DetailsJson), a.RaisedAt, a.DueAt, a.FiredAfterRestart, a.ChangedAt,
        a.AcknowledgedAt, a.AcknowledgedBy, a.AcknowledgeComment, a.ResolvedAt, a.ResolvedBy, a.ResolveComment,
        a.AcknowledgedBySubject, a.ResolvedBySubject);

    /// <summary>Feed routing key <c>&lt;centre&gt;.&lt;KIND&gt;.&lt;severity&gt;.&lt;state&gt;</c>, e.g. <c>US.LAUNCH_WITHOUT_NOTIFICATION.critical.open</c>.</summary>
    public string RoutingKey => $"{Centre}.{Kind}.{Severity}.{State}";

    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static JsonElement? ParseDetails(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Details are written by the node itself; should one not be JSON, show it as text rather than fail the listing.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
