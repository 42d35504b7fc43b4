using System.Diagnostics.Metrics;
using LaunchNotify.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// The processes writing one SQLite store take turns through a lock file beside it (<c>flock</c>): a writer that finds
/// the other's turn taken waits in the kernel and goes the moment it is given back; a wait past the store's timeout, or a
/// cancelled one, never leaves the turn held. Two gates on one file stand for the two processes (a <c>flock</c> belongs to
/// the open file, so two opens in one process exclude each other as two processes do).
/// </summary>
public sealed class StoreWriteGateTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly LaunchNotify.Tests.Shared.TempSqliteStore _store = new("gate");
    private readonly MeterListener _listener = new();
    private readonly List<StoreWriteGate> _gates = [];
    private long _turnWaits;

    public StoreWriteGateTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "LaunchNotify" && instrument.Name == "launchnotify.store.turn_waits")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _turnWaits, value));
        _listener.Start();
    }

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync()
    {
        foreach (var gate in _gates)
            gate.Dispose();
        return _store.DisposeAsync();
    }

    public void Dispose() => _listener.Dispose();

    private StoreWriteGate Gate(TimeSpan? wait = null)
    {
        var gate = wait is null ? StoreWriteGate.For(_store.Options) : new StoreWriteGate(StorageProvider.Sqlite, StoreFile, wait);
        _gates.Add(gate);
        return gate;
    }

    private string StoreFile => new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(_store.Options.ConnectionString).DataSource;

    [Fact]
    public async Task TwoProcessesGates_TakeTurns_TheWaiterGoingWhenTheTurnIsGivenBack()
    {
        var (a, b) = (Gate(), Gate());
        var turnA = await a.EnterAsync(CancellationToken.None);
        var waitsBefore = Interlocked.Read(ref _turnWaits);

        // Without the turn the second gate would be entered at once (nothing else in it waits).
        var turnB = b.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(turnB.IsCompleted, "the second process entered while the first held its turn");
        turnA.Dispose();
        (await turnB.WaitAsync(Patience)).Dispose();
        Assert.True(Interlocked.Read(ref _turnWaits) > waitsBefore, "the wait was not counted");

        // And back: the first waits for the second in the same way.
        var again = await b.EnterAsync(CancellationToken.None);
        var turnA2 = a.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(turnA2.IsCompleted);
        again.Dispose();
        (await turnA2.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task AnUncontendedTurn_IsTakenWithoutWaiting()
    {
        var gate = Gate();
        for (var i = 0; i < 3; i++)
        {
            var turn = gate.EnterAsync(CancellationToken.None);
            Assert.True(turn.IsCompletedSuccessfully, "a free turn must be taken synchronously");
            (await turn).Dispose();
        }
    }

    [Fact]
    public async Task AWaitPastTheStoresTimeout_GoesAheadWithoutTheTurn_AndTheTurnIsNotLeftHeld()
    {
        var holder = Gate();
        var impatient = Gate(TimeSpan.FromMilliseconds(200));
        var held = await holder.EnterAsync(CancellationToken.None);

        // SQLite's own lock decides from here; the gate does not block past the store's timeout.
        var turn = await impatient.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        turn.Dispose();
        held.Dispose();

        // The abandoned wait's late grant is given back at once: a third process gets the turn.
        (await Gate().EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience)).Dispose();
        // And the impatient one's own queue is free again.
        (await impatient.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task ACancelledWait_ThrowsAndLeavesNeitherQueueNorTurnHeld()
    {
        var (a, b) = (Gate(), Gate());
        var held = await a.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = b.EnterAsync(cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));

        held.Dispose();
        (await b.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience)).Dispose();
        (await a.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task AGateDisposedWhileHoldingTheTurn_GivesItBack_AsAStoppedProcessWould()
    {
        var (a, b) = (Gate(), Gate());
        var held = await a.EnterAsync(CancellationToken.None);
        var waiting = b.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        a.Dispose();
        var turnB = await waiting.WaitAsync(Patience);
        held.Dispose();
        // A disposed gate takes no turn (its writers wait for SQLite's lock alone) and blocks no one.
        (await a.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Patience)).Dispose();
        turnB.Dispose();
    }

    [Fact]
    public async Task GroupCommitsOfTwoProcesses_OnOneStore_NumberEveryStepOnce()
    {
        await using var first = new GroupCommitter(new StoreContextFactory(_store.Options), Gate(), NullLogger<GroupCommitter>.Instance);
        await using var second = new GroupCommitter(new StoreContextFactory(_store.Options), Gate(), NullLogger<GroupCommitter>.Instance);
        var steps = Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? first : second).RunAsync(
            (db, ct) => SequenceAllocator.NextAsync(db, "CN", "RU", "cn-ru-2009", SequenceAllocator.NotificationStream, ct), CancellationToken.None)).ToList();
        var numbers = await Task.WhenAll(steps).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 200).Select(n => (long)n), numbers.Order());
    }

    [Fact]
    public void TheTurnFile_IsBesideASqliteFileStore_AndNowhereElse()
    {
        Assert.Equal(Path.GetFullPath(StoreFile) + "-turn", StoreWriteGate.For(_store.Options).TurnFile);
        Assert.Null(StoreWriteGate.For(StorageOptions.Parse("postgres:Host=127.0.0.1;Database=x")).TurnFile);
        Assert.Null(StoreWriteGate.For(StorageOptions.SqliteFile(":memory:")).TurnFile);
        Assert.Null(StoreWriteGate.For(_store.Options.AsReadOnly()).TurnFile);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheTurnFile_IsTheOwnersOnly()
    {
        (await Gate().EnterAsync(CancellationToken.None)).Dispose();
        var file = Path.GetFullPath(StoreFile) + "-turn";
        Assert.True(File.Exists(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }
}
