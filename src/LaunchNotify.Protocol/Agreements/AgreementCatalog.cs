using System.Text.Json;
using System.Text.Json.Serialization;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Schemas;
using NodaTime;

namespace LaunchNotify.Protocol.Agreements;

/// <summary>
/// The agreements this node knows, read from <c>agreements/*.json</c> and the boundaries they refer to from
/// <c>agreements/boundaries/*.json</c>. Every file is checked against its schema (<c>agreement</c> or <c>boundary</c>)
/// before it is read; any problem in any file refuses the whole set with an <see cref="AgreementLoadException"/>.
/// </summary>
public sealed class AgreementCatalog : IAgreementSource
{
    public const string BoundarySchema = "boundary";

    private const string ResourcePrefix = "agreements/";
    private const string BoundaryResourcePrefix = "agreements/boundaries/";

    private static readonly Lazy<AgreementCatalog> Embedded = new(LoadEmbedded);

    private static readonly JsonSerializerOptions FileJson = CreateFileJson();

    private readonly Dictionary<AgreementId, Agreement> _byId;

    private AgreementCatalog(IReadOnlyList<Agreement> agreements, IReadOnlyDictionary<string, Boundary> boundaries)
    {
        All = agreements;
        Boundaries = boundaries;
        _byId = agreements.ToDictionary(a => a.Id);
    }

    /// <summary>The reference agreements built into this assembly from the repository's <c>agreements/</c>, loaded once.</summary>
    public static AgreementCatalog Default => Embedded.Value;

    /// <summary>Every agreement, ordered by id.</summary>
    public IReadOnlyList<Agreement> All { get; }

    /// <summary>Every boundary file, by id, whether or not an agreement refers to it.</summary>
    public IReadOnlyDictionary<string, Boundary> Boundaries { get; }

    /// <summary>
    /// Reads <c>*.json</c> in <paramref name="directory"/> as agreements and <c>boundaries/*.json</c> below it as
    /// boundaries, checked against <paramref name="schemas"/> (the built-in schemas if null).
    /// </summary>
    public static AgreementCatalog FromDirectory(string directory, SchemaCatalog? schemas = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Agreement directory '{directory}' does not exist.");
        var boundaryDirectory = Path.Combine(directory, "boundaries");
        var boundaryFiles = Directory.Exists(boundaryDirectory)
            ? Directory.GetFiles(boundaryDirectory, "*.json").Order(StringComparer.Ordinal).Select(f => new SourceFile("boundaries/" + Path.GetFileName(f), File.ReadAllBytes(f)))
            : [];
        var agreementFiles = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => new SourceFile(Path.GetFileName(f), File.ReadAllBytes(f)));
        return Load(agreementFiles.ToList(), boundaryFiles.ToList(), schemas ?? SchemaCatalog.Default);
    }

    /// <remarks>
    /// <see cref="IAgreementSource.TryGet"/> does not mark <paramref name="agreement"/> <c>[MaybeNullWhen(false)]</c>,
    /// so a miss hands back null behind a non-null type: read it only when this returns true.
    /// </remarks>
    public bool TryGet(AgreementId id, out Agreement agreement)
    {
        if (_byId.TryGetValue(id, out var found))
        {
            agreement = found;
            return true;
        }
        agreement = null!;
        return false;
    }

    /// <summary>The agreement with this id; throws <see cref="KeyNotFoundException"/> naming the known ids if there is none.</summary>
    public Agreement Get(AgreementId id) =>
        _byId.TryGetValue(id, out var agreement)
            ? agreement
            : throw new KeyNotFoundException($"No agreement '{id}'. Known agreements: {string.Join(", ", _byId.Keys.Select(k => k.Value).Order(StringComparer.Ordinal))}.");

    private static AgreementCatalog LoadEmbedded()
    {
        var assembly = typeof(AgreementCatalog).Assembly;
        var names = assembly.GetManifestResourceNames();
        SourceFile Read(string name, string prefix) =>
            new(name[prefix.Length..], System.Text.Encoding.UTF8.GetBytes(SchemaCatalog.ReadResource(assembly, name)));

        var boundaries = names.Where(n => n.StartsWith(BoundaryResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(n => Read(n, ResourcePrefix)).ToList();
        var agreements = names.Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && !n[ResourcePrefix.Length..].Contains('/'))
            .Order(StringComparer.Ordinal).Select(n => Read(n, ResourcePrefix)).ToList();
        return Load(agreements, boundaries, SchemaCatalog.Default);
    }

    /// <summary>One file's bytes; a UTF-8 byte order mark (editors on Windows add one) is dropped.</summary>
    private sealed record SourceFile
    {
        public SourceFile(string name, byte[] utf8Json)
        {
            Name = name;
            Utf8Json = utf8Json.AsSpan().StartsWith(Utf8Bom) ? utf8Json[Utf8Bom.Length..] : utf8Json;
        }

        private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

        public string Name { get; }
        public byte[] Utf8Json { get; }
        public string Stem => Path.GetFileNameWithoutExtension(Name);
    }

    private static AgreementCatalog Load(IReadOnlyList<SourceFile> agreementFiles, IReadOnlyList<SourceFile> boundaryFiles, SchemaCatalog schemas)
    {
        var errors = new List<AgreementFileError>();

        var boundaries = new Dictionary<string, Boundary>(StringComparer.Ordinal);
        foreach (var file in boundaryFiles)
        {
            var dto = Read<BoundaryFile>(file, BoundarySchema, schemas, errors);
            if (dto is null)
                continue;
            if (dto.Id != file.Stem)
            {
                errors.Add(Error(file, "BOUNDARY_ID_MISMATCH", "boundary:id", "/id", $"The boundary id '{dto.Id}' must match its file name '{file.Stem}.json'."));
                continue;
            }
            boundaries[dto.Id] = new Boundary(dto.Id, dto.Description, dto.Points.Select(p => new GeoPoint(p.Lat, p.Lon)).ToList())
            {
                Sides = dto.Sides is { } sides ? new BoundarySides(sides.Left, sides.Right) : null,
            };
        }

        var agreements = new List<Agreement>();
        foreach (var file in agreementFiles)
        {
            var dto = Read<AgreementFile>(file, SchemaCatalog.AgreementSchema, schemas, errors);
            if (dto is not null && Check(file, dto, boundaries, errors))
                agreements.Add(Map(dto, boundaries));
        }

        if (errors.Count > 0)
            throw new AgreementLoadException(errors);
        return new AgreementCatalog(agreements.OrderBy(a => a.Id.Value, StringComparer.Ordinal).ToList(), boundaries);
    }

    /// <summary>Schema first, then System.Text.Json into the file's shape; null (with errors added) if either fails.</summary>
    private static T? Read<T>(SourceFile file, string schemaName, SchemaCatalog schemas, List<AgreementFileError> errors) where T : class
    {
        var result = schemas.Validate(schemaName, file.Utf8Json);
        if (!result.IsValid)
        {
            errors.AddRange(result.Errors.Select(e => new AgreementFileError(file.Name, e)));
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(file.Utf8Json, FileJson) ?? throw new JsonException("The document is null.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            errors.Add(Error(file, "AGREEMENT_UNREADABLE", $"{schemaName}.schema.json", "", $"The file passed its schema but could not be read: {e.Message}"));
            return null;
        }
    }

    /// <summary>What the schema cannot say: the id matches the file, references resolve, separations are ordered.</summary>
    private static bool Check(SourceFile file, AgreementFile dto, IReadOnlyDictionary<string, Boundary> boundaries, List<AgreementFileError> errors)
    {
        var before = errors.Count;
        if (dto.Id.Value != file.Stem)
            errors.Add(Error(file, "AGREEMENT_ID_MISMATCH", "agreement:id", "/id", $"The agreement id '{dto.Id}' must match its file name '{file.Stem}.json'."));
        if (dto.Geography is { } geography && !boundaries.ContainsKey(geography.Boundary))
        {
            var known = boundaries.Count == 0 ? "none" : string.Join(", ", boundaries.Keys.Order(StringComparer.Ordinal));
            errors.Add(Error(file, "AGREEMENT_BOUNDARY_UNKNOWN", "agreement:geography", "/geography/boundary",
                $"No boundary '{geography.Boundary}' (expected boundaries/{geography.Boundary}.json). Known boundaries: {known}."));
        }
        foreach (var centre in dto.Direction?.PartyReferencePoints.Keys ?? Enumerable.Empty<CentreCode>())
        {
            if (!dto.Parties.Contains(centre))
                errors.Add(Error(file, "AGREEMENT_REFERENCE_NOT_PARTY", "agreement:direction", $"/direction/partyReferencePoints/{centre}",
                    $"{centre} has a reference point but is not a party ({string.Join(", ", dto.Parties)})."));
        }
        if (dto.Grouping is { } grouping && grouping.GroupLaunchMaxSeparationMinutes > grouping.NearSimultaneousMaxSeparationMinutes)
            errors.Add(Error(file, "AGREEMENT_GROUPING_ORDER", "agreement:grouping", "/grouping/groupLaunchMaxSeparationMinutes",
                "A group launch separation cannot exceed the near-simultaneous separation."));
        return errors.Count == before;
    }

    private static Agreement Map(AgreementFile dto, IReadOnlyDictionary<string, Boundary> boundaries) => new()
    {
        Id = dto.Id,
        Title = dto.Title,
        Type = dto.Type,
        Parties = dto.Parties,
        Scope = new AgreementScope
        {
            MissileClasses = dto.Scope.MissileClasses,
            VoluntaryClasses = dto.Scope.VoluntaryClasses ?? [],
            MinimumRangeKm = dto.Scope.MinimumRangeKm,
            OnlyTowardParty = dto.Scope.OnlyTowardParty ?? false,
            Description = dto.Scope.Description,
        },
        Notification = new NotificationTerms
        {
            MinimumLeadTime = Duration.FromHours(dto.Notification.MinimumLeadTimeHours),
            MaximumWindow = dto.Notification.MaximumWindowHours is { } hours ? Duration.FromHours(hours) : null,
            LongWindowPolicy = dto.Notification.LongWindowPolicy ?? LongWindowPolicy.Reject,
            RequiredFields = dto.Notification.RequiredFields ?? [],
        },
        Deadlines = new DeadlineTerms
        {
            Receipt = Duration.FromMinutes(dto.Deadlines.ReceiptMinutes),
            PostLaunchReport = Duration.FromHours(dto.Deadlines.PostLaunchReportHours),
            HeartbeatInterval = Duration.FromSeconds(dto.Deadlines.HeartbeatIntervalSeconds),
            MissingGrace = Duration.FromMinutes(dto.Deadlines.MissingGraceMinutes),
            SilentAfterMissedHeartbeats = dto.Deadlines.SilentAfterMissedHeartbeats,
            Acknowledgement = dto.Deadlines.AcknowledgementMinutes is { } ack ? Duration.FromMinutes(ack) : null,
            AcknowledgementEscalation = dto.Deadlines.AcknowledgementEscalationMinutes is { } escalation ? Duration.FromMinutes(escalation) : null,
        },
        Grouping = dto.Grouping is { } g
            ? new GroupingTerms
            {
                GroupLaunchMaxSeparation = Duration.FromMinutes(g.GroupLaunchMaxSeparationMinutes),
                NearSimultaneousMaxSeparation = Duration.FromMinutes(g.NearSimultaneousMaxSeparationMinutes),
            }
            : null,
        Geography = dto.Geography is { } geo
            ? new GeographyTerms
            {
                Boundary = boundaries[geo.Boundary],
                LaunchSiteMinDistanceKm = geo.LaunchSiteMinDistanceKm,
                ImpactAreaMinDistanceKm = geo.ImpactAreaMinDistanceKm,
                TrajectoryMinDistanceKm = geo.TrajectoryMinDistanceKm,
                TrajectoryMayCross = geo.TrajectoryMayCross ?? false,
            }
            : null,
        Direction = dto.Direction is { } d
            ? new DirectionTerms
            {
                PartyReferencePoints = d.PartyReferencePoints,
                ToleranceDeg = d.ToleranceDeg,
                SenderSectors = (d.SenderSectors ?? new Dictionary<CentreCode, IReadOnlyList<SectorEntry>>())
                    .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<BearingSector>)kv.Value.Select(x => new BearingSector(x.FromDeg, x.ToDeg, x.Name)).ToList()),
            }
            : null,
        Assumptions = dto.Assumptions?.Select(a => new Assumption(a.Parameter, a.Note, a.AssumedValue ?? false)).ToList() ?? [],
        Sources = dto.Sources.Select(s => new Source(s.Title, s.Url)).ToList(),
    };

    private static AgreementFileError Error(SourceFile file, string code, string rule, string path, string message) =>
        new(file.Name, new ValidationError(code, rule, path, message));

    private static JsonSerializerOptions CreateFileJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new CentreCodeConverter());
        options.Converters.Add(new AgreementIdConverter());
        options.Converters.Add(new GeoPointConverter());
        options.Converters.Add(new JsonStringEnumConverter<MissileClass>(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<AgreementType>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<LongWindowPolicy>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<RequiredField>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    // The shapes of the files, as schemas/v1/agreement.schema.json and boundary.schema.json describe them.

    private sealed record AgreementFile(
        string SchemaVersion,
        AgreementId Id,
        string Title,
        AgreementType Type,
        IReadOnlyList<CentreCode> Parties,
        ScopeSection Scope,
        NotificationSection Notification,
        DeadlinesSection Deadlines,
        IReadOnlyList<SourceEntry> Sources,
        GroupingSection? Grouping = null,
        GeographySection? Geography = null,
        DirectionSection? Direction = null,
        IReadOnlyList<AssumptionEntry>? Assumptions = null);

    private sealed record ScopeSection(
        IReadOnlyList<MissileClass> MissileClasses, string Description, double? MinimumRangeKm = null, bool? OnlyTowardParty = null,
        IReadOnlyList<MissileClass>? VoluntaryClasses = null);

    private sealed record NotificationSection(
        int MinimumLeadTimeHours, int? MaximumWindowHours = null, LongWindowPolicy? LongWindowPolicy = null, IReadOnlyList<RequiredField>? RequiredFields = null);

    private sealed record DeadlinesSection(int ReceiptMinutes, int PostLaunchReportHours, int HeartbeatIntervalSeconds, int MissingGraceMinutes, int SilentAfterMissedHeartbeats,
        int? AcknowledgementMinutes = null, int? AcknowledgementEscalationMinutes = null);

    private sealed record GroupingSection(int GroupLaunchMaxSeparationMinutes, int NearSimultaneousMaxSeparationMinutes);

    private sealed record GeographySection(
        string Boundary, double LaunchSiteMinDistanceKm, double ImpactAreaMinDistanceKm, double TrajectoryMinDistanceKm, bool? TrajectoryMayCross = null);

    private sealed record DirectionSection(
        IReadOnlyDictionary<CentreCode, GeoPoint> PartyReferencePoints, double ToleranceDeg, IReadOnlyDictionary<CentreCode, IReadOnlyList<SectorEntry>>? SenderSectors = null);

    private sealed record SectorEntry(double FromDeg, double ToDeg, string? Name = null);

    private sealed record AssumptionEntry(string Parameter, string Note, bool? AssumedValue = null);

    private sealed record SourceEntry(string Title, string? Url = null);

    private sealed record BoundaryFile(string Id, string Description, bool Approximate, IReadOnlyList<BoundaryPoint> Points, BoundarySidesEntry? Sides = null);

    private sealed record BoundarySidesEntry(CentreCode Left, CentreCode Right);

    private sealed record BoundaryPoint(double Lat, double Lon, string? Name = null);
}
