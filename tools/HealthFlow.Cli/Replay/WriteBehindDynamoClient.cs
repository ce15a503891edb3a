using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace HealthFlow.Cli.Replay;

/// <summary>
/// The DynamoDB client replay gives the projections of read models written once per event (see
/// <see cref="ReadModelTable.WrittenOncePerEvent"/>). Their PutItem calls into that table are queued
/// and written behind as BatchWriteItem requests of 25, a few in flight at once; every other call goes
/// straight to DynamoDB. This is what makes replay several times faster than one conditional put per
/// event, while the item mapping stays the projections' own code.
/// </summary>
/// <remarks>
/// A put returns once it is queued, so a write error surfaces at a later put or at
/// <see cref="FlushAsync"/>, which replay awaits before it reports success.
/// </remarks>
public sealed class WriteBehindDynamoClient : AmazonDynamoDBClient
{
    private readonly ReadModelTable _table;
    private readonly SemaphoreSlim _flushSlots;
    private readonly int _maxFlushes;
    private readonly CancellationToken _lifetime;
    private readonly Lock _gate = new();
    private List<WriteRequest> _batch = new(BatchWrites.MaxBatchSize);
    private HashSet<string> _batchKeys = new(StringComparer.Ordinal);
    private Exception? _failure;
    private long _itemsWritten;

    /// <param name="lifetime">Cancels the batches in flight: the replay's own token, not any one put's.</param>
    public WriteBehindDynamoClient(
        AWSCredentials credentials, AmazonDynamoDBConfig config, ReadModelTable table, int maxConcurrentFlushes, CancellationToken lifetime)
        : base(credentials, config)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentFlushes, 1);
        _table = table;
        _maxFlushes = maxConcurrentFlushes;
        _lifetime = lifetime;
        _flushSlots = new SemaphoreSlim(maxConcurrentFlushes, maxConcurrentFlushes);
    }

    /// <summary>Items DynamoDB has confirmed.</summary>
    public long ItemsWritten => Interlocked.Read(ref _itemsWritten);

    public override async Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken = default)
    {
        if (request.TableName != _table.Table.Name)
        {
            return await base.PutItemAsync(request, cancellationToken);
        }

        ThrowIfFailed();
        List<WriteRequest>? full = null;
        var key = string.Join('\u001f', _table.KeyAttributes.Select(name => request.Item[name].S ?? request.Item[name].N));
        lock (_gate)
        {
            // Only sound for items written once: a second write would need the condition we dropped.
            if (!_batchKeys.Add(key))
            {
                throw new InvalidOperationException(
                    $"Replay wrote the {_table.ReadModel} item {key} twice; write-behind assumes one event per item.");
            }

            _batch.Add(new WriteRequest(new PutRequest(request.Item)));
            if (_batch.Count == BatchWrites.MaxBatchSize)
            {
                full = TakeBatch();
            }
        }

        if (full is not null)
        {
            await StartFlushAsync(full, cancellationToken);
        }

        return new PutItemResponse { HttpStatusCode = HttpStatusCode.OK };
    }

    /// <summary>Writes what is still queued and waits until every batch is confirmed; throws the first write error.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<WriteRequest> rest;
        lock (_gate)
        {
            rest = TakeBatch();
        }

        if (rest.Count > 0)
        {
            await StartFlushAsync(rest, cancellationToken);
        }

        // Holding every slot means no batch is in flight.
        for (var i = 0; i < _maxFlushes; i++)
        {
            await _flushSlots.WaitAsync(cancellationToken);
        }

        _flushSlots.Release(_maxFlushes);
        ThrowIfFailed();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _flushSlots.Dispose();
        }

        base.Dispose(disposing);
    }

    private List<WriteRequest> TakeBatch()
    {
        var taken = _batch;
        _batch = new List<WriteRequest>(BatchWrites.MaxBatchSize);
        _batchKeys = new HashSet<string>(StringComparer.Ordinal);
        return taken;
    }

    // Waiting for a free slot is the back-pressure: the projections cannot run ahead of DynamoDB.
    private async Task StartFlushAsync(List<WriteRequest> batch, CancellationToken cancellationToken)
    {
        await _flushSlots.WaitAsync(cancellationToken);
        _ = Task.Run(async () =>
        {
            try
            {
                await BatchWrites.WriteAsync(base.BatchWriteItemAsync, _table.Table.Name, batch, _lifetime);
                Interlocked.Add(ref _itemsWritten, batch.Count);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }
            finally
            {
                _flushSlots.Release();
            }
        }, CancellationToken.None);
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException($"Writing the {_table.ReadModel} read model failed: {failure.Message}", failure);
        }
    }
}
