using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace LaunchNotify.Storage.Converters;

/// <summary>
/// Instants are stored as 100 ns ticks since the Unix epoch in a 64-bit integer: exact, ordered, and the same on
/// SQLite and PostgreSQL, so one model serves both.
/// </summary>
internal sealed class InstantConverter() : ValueConverter<Instant, long>(
    instant => instant.ToUnixTimeTicks(),
    ticks => Instant.FromUnixTimeTicks(ticks));
