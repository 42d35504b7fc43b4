using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Agreements;
using LaunchNotify.Protocol.Schemas;
using NodaTime;

namespace LaunchNotify.Protocol.Tests;

public class AgreementCatalogTests
{
    private static readonly string[] ShippedIds = ["cn-ru-2009", "hcoc", "in-pk-2005", "p5-demo", "us-ru-bmlna-1988"];

    private static readonly SchemaCatalog RepoSchemas = SchemaCatalog.FromDirectory(Path.Combine(RepoPaths.Schemas, "v1"));

    private static Agreement Shipped(string id) => AgreementCatalog.Default.Get(new AgreementId(id));

    public static TheoryData<string> RepoAgreementFiles() =>
        new(Directory.GetFiles(RepoPaths.Agreements, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    public static TheoryData<string> RepoBoundaryFiles() =>
        new(Directory.GetFiles(Path.Combine(RepoPaths.Agreements, "boundaries"), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(RepoAgreementFiles))]
    public void RepoAgreementFile_AgainstRepoSchema_IsValid(string file)
    {
        var result = RepoSchemas.Validate(SchemaCatalog.AgreementSchema, File.ReadAllBytes(Path.Combine(RepoPaths.Agreements, file)));

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }

    [Theory]
    [MemberData(nameof(RepoBoundaryFiles))]
    public void RepoBoundaryFile_AgainstRepoSchema_IsValid(string file)
    {
        var result = RepoSchemas.Validate(AgreementCatalog.BoundarySchema, File.ReadAllBytes(Path.Combine(RepoPaths.Agreements, "boundaries", file)));

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }

    [Fact]
    public void Default_LoadsEveryShippedAgreement_OrderedById()
    {
        Assert.Equal(ShippedIds, AgreementCatalog.Default.All.Select(a => a.Id.Value));
    }

    [Fact]
    public void FromDirectory_WhenRepoFolder_LoadsTheSameAgreementsAsTheEmbeddedSet()
    {
        var fromRepo = AgreementCatalog.FromDirectory(RepoPaths.Agreements, RepoSchemas);

        Assert.Equal(ShippedIds, fromRepo.All.Select(a => a.Id.Value));
        Assert.Equal(
            AgreementCatalog.Default.All.Select(a => (a.Id, a.Notification.MinimumLeadTime, a.Deadlines.Receipt, a.Parties.Count)),
            fromRepo.All.Select(a => (a.Id, a.Notification.MinimumLeadTime, a.Deadlines.Receipt, a.Parties.Count)));
        Assert.Equal(["in-pk-border"], fromRepo.Boundaries.Keys);
    }

    [Fact]
    public void UsRu_IsBilateralIcbmSlbm_With24HourLeadTimeAndLaunchAndImpactAreas()
    {
        var agreement = Shipped("us-ru-bmlna-1988");

        Assert.Equal(AgreementType.Bilateral, agreement.Type);
        Assert.Equal([new CentreCode("US"), new CentreCode("RU")], agreement.Parties);
        Assert.Equal([MissileClass.ICBM, MissileClass.SLBM], agreement.Scope.MissileClasses);
        Assert.Equal(Duration.FromHours(24), agreement.Notification.MinimumLeadTime);
        Assert.Equal([RequiredField.LaunchArea, RequiredField.ImpactAreas], agreement.Notification.RequiredFields);
        Assert.Equal(LongWindowPolicy.Flag, agreement.Notification.LongWindowPolicy);
        Assert.Null(agreement.Geography);
        Assert.Null(agreement.Direction);
    }

    [Fact]
    public void InPk_Has72HourLeadTime_120HourWindowRejected_AndBoundaryDistances40_70_40()
    {
        var agreement = Shipped("in-pk-2005");

        Assert.Equal(Duration.FromHours(72), agreement.Notification.MinimumLeadTime);
        Assert.Equal(Duration.FromHours(120), agreement.Notification.MaximumWindow);
        Assert.Equal(LongWindowPolicy.Reject, agreement.Notification.LongWindowPolicy);
        Assert.DoesNotContain(MissileClass.SLV, agreement.Scope.MissileClasses);
        var geography = Assert.IsType<GeographyTerms>(agreement.Geography);
        Assert.Equal(40, geography.LaunchSiteMinDistanceKm);
        Assert.Equal(70, geography.ImpactAreaMinDistanceKm);
        Assert.Equal(40, geography.TrajectoryMinDistanceKm);
        Assert.False(geography.TrajectoryMayCross);
        Assert.Equal("in-pk-border", geography.Boundary.Id);
        Assert.Contains(agreement.Assumptions, a => a.Parameter == "geography.impactAreaMinDistanceKm" && a.Note.Contains("75", StringComparison.Ordinal));
    }

    [Fact]
    public void CnRu_CoversRangeOver2000TowardParty_AndEverySlv_WithGrouping5And60Minutes()
    {
        var agreement = Shipped("cn-ru-2009");

        Assert.Equal(2000, agreement.Scope.MinimumRangeKm);
        Assert.True(agreement.Scope.OnlyTowardParty);
        Assert.Contains(MissileClass.SLV, agreement.Scope.MissileClasses);
        Assert.Equal(Duration.FromHours(24), agreement.Notification.MinimumLeadTime);
        Assert.Contains(agreement.Assumptions, a => a.Parameter == "notification.minimumLeadTimeHours");
        var grouping = Assert.IsType<GroupingTerms>(agreement.Grouping);
        Assert.Equal(Duration.FromMinutes(5), grouping.GroupLaunchMaxSeparation);
        Assert.Equal(Duration.FromMinutes(60), grouping.NearSimultaneousMaxSeparation);
        var direction = Assert.IsType<DirectionTerms>(agreement.Direction);
        Assert.Equal([new CentreCode("CN"), new CentreCode("RU")], direction.PartyReferencePoints.Keys.OrderBy(c => c.Value));
        Assert.InRange(direction.ToleranceDeg, 1, 90);
    }

    [Fact]
    public void Hcoc_IsMultilateral_AmongRealSubscribers_RequiringLaunchAreaAndPlannedDirection()
    {
        var agreement = Shipped("hcoc");

        Assert.Equal(AgreementType.Multilateral, agreement.Type);
        Assert.InRange(agreement.Parties.Count, 15, 250);
        foreach (var subscriber in new[] { "US", "RU", "FR", "GB", "JP", "KR", "DE", "UA" })
            Assert.Contains(new CentreCode(subscriber), agreement.Parties);
        foreach (var nonSubscriber in new[] { "CN", "PK", "IR", "KP", "IL" })
            Assert.DoesNotContain(new CentreCode(nonSubscriber), agreement.Parties);
        Assert.Contains(MissileClass.Ballistic, agreement.Scope.MissileClasses);
        Assert.Contains(MissileClass.SLV, agreement.Scope.MissileClasses);
        Assert.Equal([RequiredField.LaunchArea, RequiredField.PlannedDirection], agreement.Notification.RequiredFields);
    }

    [Fact]
    public void P5Demo_IsTheFiveNuclearWeaponStates_AllClasses_WithDeadlinesOfMinutes()
    {
        var agreement = Shipped("p5-demo");

        Assert.Equal(["CN", "FR", "GB", "RU", "US"], agreement.Parties.Select(p => p.Value).Order(StringComparer.Ordinal));
        Assert.Equal(Enum.GetValues<MissileClass>().Order(), agreement.Scope.MissileClasses.Order());
        Assert.True(agreement.Deadlines.Receipt <= Duration.FromMinutes(5));
        Assert.True(agreement.Deadlines.HeartbeatInterval <= Duration.FromMinutes(1));
        Assert.Contains("drill", agreement.Scope.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("us-ru-bmlna-1988")]
    [InlineData("cn-ru-2009")]
    [InlineData("in-pk-2005")]
    [InlineData("hcoc")]
    public void RealAgreement_EveryDeadlineTheTextsDoNotFix_HasAnAssumption(string id)
    {
        var parameters = Shipped(id).Assumptions.Select(a => a.Parameter).ToHashSet();

        foreach (var deadline in new[] { "receiptMinutes", "postLaunchReportHours", "heartbeatIntervalSeconds", "missingGraceMinutes", "silentAfterMissedHeartbeats" })
            Assert.Contains("deadlines." + deadline, parameters);
    }

    [Fact]
    public void Get_WhenIdUnknown_ThrowsKeyNotFoundNamingTheKnownIds()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => AgreementCatalog.Default.Get(new AgreementId("uk-fr-2099")));

        Assert.Contains("uk-fr-2099", e.Message, StringComparison.Ordinal);
        Assert.Contains("us-ru-bmlna-1988", e.Message, StringComparison.Ordinal);
        Assert.False(AgreementCatalog.Default.TryGet(new AgreementId("uk-fr-2099"), out _));
        Assert.True(AgreementCatalog.Default.TryGet(new AgreementId("hcoc"), out var hcoc));
        Assert.Equal("hcoc", hcoc.Id.Value);
    }

    [Fact]
    public void FromDirectory_WhenFileBreaksSchema_RefusesWithFileCodeAndPathOfEveryError()
    {
        using var dir = new TempAgreements();
        var broken = RepoAgreement("us-ru-bmlna-1988");
        broken["notification"]!["minimumLeadTimeHours"] = "24";
        broken["deadlines"]!.AsObject().Remove("receiptMinutes");
        dir.Write("us-ru-bmlna-1988.json", broken);

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        Assert.All(e.Errors, error => Assert.Equal("us-ru-bmlna-1988.json", error.File));
        Assert.Contains(e.Errors, error => error.Error.Code == "SCHEMA_TYPE" && error.Error.Path == "/notification/minimumLeadTimeHours");
        Assert.Contains(e.Errors, error => error.Error.Code == "SCHEMA_REQUIRED" && error.Error.Path == "/deadlines");
        Assert.Contains("us-ru-bmlna-1988.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("/notification/minimumLeadTimeHours", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_WhenTwoFilesAreBroken_ListsBothFiles()
    {
        using var dir = new TempAgreements();
        var first = RepoAgreement("hcoc");
        first["type"] = "plurilateral";
        dir.Write("hcoc.json", first);
        var second = RepoAgreement("p5-demo");
        second.AsObject().Remove("sources");
        dir.Write("p5-demo.json", second);

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        Assert.Equal(["hcoc.json", "p5-demo.json"], e.Files);
    }

    [Fact]
    public void FromDirectory_WhenBoundaryIdUnknown_RefusesNamingTheMissingBoundary()
    {
        using var dir = new TempAgreements();
        var agreement = RepoAgreement("in-pk-2005");
        agreement["geography"]!["boundary"] = "atlantis-border";
        dir.Write("in-pk-2005.json", agreement);
        dir.CopyBoundary("in-pk-border.json");

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        var error = Assert.Single(e.Errors);
        Assert.Equal("AGREEMENT_BOUNDARY_UNKNOWN", error.Error.Code);
        Assert.Equal("/geography/boundary", error.Error.Path);
        Assert.Contains("atlantis-border", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains("in-pk-border", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_WhenBoundaryFileBreaksItsSchema_RefusesWithTheBoundaryFile()
    {
        using var dir = new TempAgreements();
        dir.Write("in-pk-2005.json", RepoAgreement("in-pk-2005"));
        var boundary = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Agreements, "boundaries", "in-pk-border.json")))!;
        boundary["points"]![0]!["lat"] = 123.0;
        dir.Write("boundaries/in-pk-border.json", boundary);

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        Assert.Contains(e.Errors, error => error.File == "boundaries/in-pk-border.json" && error.Error.Path == "/points/0/lat" && error.Error.Code == "SCHEMA_OUT_OF_RANGE");
        Assert.Contains(e.Errors, error => error.File == "in-pk-2005.json" && error.Error.Code == "AGREEMENT_BOUNDARY_UNKNOWN");
    }

    [Fact]
    public void FromDirectory_WhenIdDiffersFromFileName_Refuses()
    {
        using var dir = new TempAgreements();
        dir.Write("us-ru.json", RepoAgreement("us-ru-bmlna-1988"));

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        Assert.Equal("AGREEMENT_ID_MISMATCH", Assert.Single(e.Errors).Error.Code);
    }

    [Fact]
    public void FromDirectory_WhenReferencePointIsNotAParty_Refuses()
    {
        using var dir = new TempAgreements();
        var agreement = RepoAgreement("cn-ru-2009");
        agreement["direction"]!["partyReferencePoints"]!["US"] = new JsonObject { ["lat"] = 38.9, ["lon"] = -77.0 };
        dir.Write("cn-ru-2009.json", agreement);

        var e = Assert.Throws<AgreementLoadException>(() => AgreementCatalog.FromDirectory(dir.Path));

        var error = Assert.Single(e.Errors).Error;
        Assert.Equal("AGREEMENT_REFERENCE_NOT_PARTY", error.Code);
        Assert.Equal("/direction/partyReferencePoints/US", error.Path);
    }

    [Fact]
    public void FromDirectory_WhenFileStartsWithUtf8ByteOrderMark_LoadsIt()
    {
        using var dir = new TempAgreements();
        File.WriteAllText(Path.Combine(dir.Path, "hcoc.json"), RepoAgreement("hcoc").ToJsonString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var catalog = AgreementCatalog.FromDirectory(dir.Path);

        Assert.Equal("hcoc", Assert.Single(catalog.All).Id.Value);
    }

    [Fact]
    public void FromDirectory_WhenValidMinimalSet_LoadsItWithoutTheOthers()
    {
        using var dir = new TempAgreements();
        dir.Write("us-ru-bmlna-1988.json", RepoAgreement("us-ru-bmlna-1988"));

        var catalog = AgreementCatalog.FromDirectory(dir.Path);

        Assert.Equal(["us-ru-bmlna-1988"], catalog.All.Select(a => a.Id.Value));
        Assert.Empty(catalog.Boundaries);
    }

    [Fact]
    public void InPkBoundary_Has25To40Points_FromSirCreekToNj9842()
    {
        var points = Shipped("in-pk-2005").Geography!.Boundary.Points;

        Assert.InRange(points.Count, 25, 40);
        Assert.InRange(Geo.DistanceKm(points[0], new GeoPoint(23.6, 68.2)), 0, 30);
        Assert.InRange(Geo.DistanceKm(points[^1], new GeoPoint(35.0, 77.0)), 0, 30);
    }

    [Theory]
    [InlineData("Lahore", 31.55, 74.34, 15, 40)]
    [InlineData("Amritsar", 31.63, 74.87, 15, 40)]
    [InlineData("Sialkot", 32.49, 74.53, 5, 30)]
    [InlineData("Karachi", 24.86, 67.01, 130, 300)]
    [InlineData("Delhi", 28.61, 77.21, 300, 500)]
    [InlineData("Islamabad", 33.69, 73.06, 60, 140)]
    public void InPkBoundary_DistanceFromCity_IsRoughlyRight(string city, double lat, double lon, double minKm, double maxKm)
    {
        var boundary = Shipped("in-pk-2005").Geography!.Boundary;

        var km = Geo.DistanceToPolylineKm(new GeoPoint(lat, lon), boundary.Points);

        Assert.True(km >= minKm && km <= maxKm, $"{city} is {km:0.0} km from the boundary; expected {minKm}-{maxKm} km.");
    }

    private static JsonNode RepoAgreement(string id) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Agreements, id + ".json")))!;

    private sealed class TempAgreements : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "launchnotify-agreements-" + Guid.NewGuid().ToString("N"));

        public TempAgreements() => Directory.CreateDirectory(Path);

        public void Write(string relative, JsonNode json)
        {
            var file = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, json.ToJsonString());
        }

        public void CopyBoundary(string file)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "boundaries"));
            File.Copy(System.IO.Path.Combine(RepoPaths.Agreements, "boundaries", file), System.IO.Path.Combine(Path, "boundaries", file));
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>
    /// Test-only distances, good to about a kilometre at this scale: haversine between points, and a local
    /// equirectangular projection around the city for the point-to-segment step.
    /// </summary>
    private static class Geo
    {
        private const double EarthRadiusKm = 6371.0;

        public static double DistanceKm(GeoPoint a, GeoPoint b)
        {
            var dLat = Radians(b.Lat - a.Lat);
            var dLon = Radians(b.Lon - a.Lon);
            var h = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Radians(a.Lat)) * Math.Cos(Radians(b.Lat)) * Math.Pow(Math.Sin(dLon / 2), 2);
            return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(h));
        }

        public static double DistanceToPolylineKm(GeoPoint p, IReadOnlyList<GeoPoint> line)
        {
            var best = double.MaxValue;
            for (var i = 0; i + 1 < line.Count; i++)
                best = Math.Min(best, DistanceToSegmentKm(p, line[i], line[i + 1]));
            return best;
        }

        private static double DistanceToSegmentKm(GeoPoint p, GeoPoint a, GeoPoint b)
        {
            var cosLat = Math.Cos(Radians(p.Lat));
            (double X, double Y) Local(GeoPoint q) => (Radians(q.Lon - p.Lon) * cosLat * EarthRadiusKm, Radians(q.Lat - p.Lat) * EarthRadiusKm);
            var (ax, ay) = Local(a);
            var (bx, by) = Local(b);
            var (dx, dy) = (bx - ax, by - ay);
            var t = Math.Clamp(-(ax * dx + ay * dy) / (dx * dx + dy * dy), 0, 1);
            var closest = new GeoPoint(p.Lat + (ay + t * dy) / EarthRadiusKm * 180 / Math.PI, p.Lon + (ax + t * dx) / (cosLat * EarthRadiusKm) * 180 / Math.PI);
            return DistanceKm(p, closest);
        }

        private static double Radians(double degrees) => degrees * Math.PI / 180;
    }
}
