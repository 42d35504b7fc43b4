using System.Text.Json;

namespace LaunchNotify.Web.Maps;

/// <summary>One country's outline: rings of (longitude, latitude) in degrees.</summary>
public sealed record CountryShape(string Name, IReadOnlyList<IReadOnlyList<(double Lon, double Lat)>> Rings);

/// <summary>
/// Coastlines and borders from Natural Earth's 1:110m countries (public domain), as the world-atlas package
/// (ISC licence, LICENSE-world-atlas.txt) ships them in TopoJSON: <c>countries-110m.json</c>, embedded in this
/// assembly, so a map needs nothing from elsewhere. Decoded once: quantized, delta-encoded arcs turned into rings.
/// </summary>
public static class WorldAtlas
{
    private const string Resource = "LaunchNotify.Web.Maps.countries-110m.json";
    private static readonly Lazy<IReadOnlyList<CountryShape>> Loaded = new(Load);

    public static IReadOnlyList<CountryShape> Countries => Loaded.Value;

    private static IReadOnlyList<CountryShape> Load()
    {
        using var stream = typeof(WorldAtlas).Assembly.GetManifestResourceStream(Resource)
                           ?? throw new InvalidOperationException($"The map data {Resource} is not embedded in {typeof(WorldAtlas).Assembly.GetName().Name}.");
        using var doc = JsonDocument.Parse(stream);
        return Decode(doc.RootElement);
    }

    /// <summary>Reads a TopoJSON topology's <c>countries</c> object (Polygon and MultiPolygon geometries).</summary>
    public static IReadOnlyList<CountryShape> Decode(JsonElement topology)
    {
        var transform = topology.GetProperty("transform");
        var scale = transform.GetProperty("scale");
        var translate = transform.GetProperty("translate");
        var (sx, sy, tx, ty) = (scale[0].GetDouble(), scale[1].GetDouble(), translate[0].GetDouble(), translate[1].GetDouble());

        var arcs = new List<(double Lon, double Lat)[]>();
        foreach (var arc in topology.GetProperty("arcs").EnumerateArray())
        {
            var points = new List<(double, double)>(arc.GetArrayLength());
            long x = 0, y = 0;
            foreach (var p in arc.EnumerateArray())
            {
                x += p[0].GetInt64();
                y += p[1].GetInt64();
                points.Add((x * sx + tx, y * sy + ty));
            }
            arcs.Add([.. points]);
        }

        var countries = new List<CountryShape>();
        foreach (var geometry in topology.GetProperty("objects").GetProperty("countries").GetProperty("geometries").EnumerateArray())
        {
            var name = geometry.TryGetProperty("properties", out var props) && props.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var polygons = geometry.GetProperty("type").GetString() switch
            {
                "Polygon" => [geometry.GetProperty("arcs")],
                "MultiPolygon" => geometry.GetProperty("arcs").EnumerateArray().ToList(),
                _ => [],
            };
            var rings = polygons.SelectMany(polygon => polygon.EnumerateArray()).Select(ring => Ring(ring, arcs)).ToList();
            countries.Add(new CountryShape(name, rings));
        }
        return countries;
    }

    /// <summary>A ring from its arc indexes; a negative index ~i is arc i reversed; shared end points appear once.</summary>
    private static IReadOnlyList<(double Lon, double Lat)> Ring(JsonElement indexes, List<(double Lon, double Lat)[]> arcs)
    {
        var ring = new List<(double Lon, double Lat)>();
        foreach (var index in indexes.EnumerateArray())
        {
            var i = index.GetInt32();
            IEnumerable<(double Lon, double Lat)> points = i >= 0 ? arcs[i] : arcs[~i].Reverse();
            ring.AddRange(ring.Count == 0 ? points : points.Skip(1));
        }
        return ring;
    }
}
