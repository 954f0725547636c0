using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Trades;

public sealed record CashDrift(decimal StoredCapitalDeployed, decimal RebuiltCapitalDeployed, decimal StoredCashProceeds, decimal RebuiltCashProceeds);

public sealed record HoldingDrift(string Ticker, decimal StoredQuantity, decimal RebuiltQuantity, decimal StoredAverageCost, decimal RebuiltAverageCost);

// LedgerRowsWithWrongCashAfter: ledger rows whose recorded cash state after the trade differs from the replay (snapshots read it).
public sealed record UserReconciliation(long UserId, int Transactions, CashDrift? Cash, IReadOnlyList<HoldingDrift> Holdings, int LedgerRowsWithWrongCashAfter)
{
    public bool HasDrift => Cash is not null || Holdings.Count > 0 || LedgerRowsWithWrongCashAfter > 0;
}

public sealed record ReconciliationReport(int UsersChecked, int UsersWithDrift, bool Repaired, IReadOnlyList<UserReconciliation> Drifts);

/// <summary>
/// Rebuilds each user's holdings and cash from the ledger, in the order the trades were applied, with the same
/// cash model and position math as the trade path, and reports (optionally repairs) any difference from the stored state.
/// Runs under the user's write lock, so a trade cannot slip in between the replay and the comparison.
/// </summary>
public sealed class LedgerReconciler(AppDbContext db, PositionsCache positions, TimeProvider clock, ILogger<LedgerReconciler> logger)
{
    const int BatchSize = 500;

    public async Task<ReconciliationReport> ReconcileAllAsync(bool repair, CancellationToken ct)
    {
        var drifts = new List<UserReconciliation>();
        var checkedCount = 0;
        long after = 0;
        while (true)
        {
            var ids = await db.CashAccounts.AsNoTracking().Where(c => c.UserId > after).OrderBy(c => c.UserId)
                .Select(c => c.UserId).Take(BatchSize).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }
            foreach (var id in ids)
            {
                var result = await ReconcileUserAsync(id, repair, ct);
                checkedCount++;
                if (result.HasDrift)
                {
                    drifts.Add(result);
                }
            }
            after = ids[^1];
        }
        return new ReconciliationReport(checkedCount, drifts.Count, repair && drifts.Count > 0, drifts);
    }

    public Task<UserReconciliation> ReconcileUserAsync(long userId, bool repair, CancellationToken ct) =>
        db.InUserTransactionAsync(positions, userId, async () =>
        {
            var ledger = await db.Transactions.Where(t => t.UserId == userId).OrderBy(t => t.Id).ToListAsync(ct);
            var cash = new CashState(0m, 0m);
            var positions = new Dictionary<string, Position>(StringComparer.Ordinal);
            var wrongAfter = 0;
            foreach (var t in ledger)
            {
                cash = cash.Apply(t.Action, t.Total);
                if (t.CapitalDeployedAfter != cash.CapitalDeployed || t.CashProceedsAfter != cash.CashProceeds)
                {
                    wrongAfter++;
                    if (repair)
                    {
                        t.CapitalDeployedAfter = cash.CapitalDeployed;
                        t.CashProceedsAfter = cash.CashProceeds;
                    }
                }
                var position = positions.GetValueOrDefault(t.Ticker, new Position(0m, 0m));
                positions[t.Ticker] = t.Action == TradeAction.Sell && t.Quantity > position.Quantity
                    ? new Position(position.Quantity - t.Quantity, position.AverageCost) // keep going: the drift shows as a negative position
                    : position.Apply(t.Action, t.Quantity, t.Total);
            }

            var account = await db.CashAccounts.SingleAsync(c => c.UserId == userId, ct);
            var stored = await db.Holdings.Where(h => h.UserId == userId).ToListAsync(ct);
            CashDrift? cashDrift = account.CapitalDeployed != cash.CapitalDeployed || account.CashProceeds != cash.CashProceeds
                ? new CashDrift(account.CapitalDeployed, cash.CapitalDeployed, account.CashProceeds, cash.CashProceeds)
                : null;
            var holdingDrifts = new List<HoldingDrift>();
            foreach (var ticker in stored.Select(h => h.Ticker).Union(positions.Where(p => p.Value.Quantity != 0m).Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                var have = stored.SingleOrDefault(h => h.Ticker == ticker);
                var should = positions.GetValueOrDefault(ticker, new Position(0m, 0m));
                if (have?.Quantity != should.Quantity || (should.Quantity != 0m && have.AverageCost != should.AverageCost))
                {
                    holdingDrifts.Add(new HoldingDrift(ticker, have?.Quantity ?? 0m, should.Quantity, have?.AverageCost ?? 0m, should.AverageCost));
                }
            }

            var result = new UserReconciliation(userId, ledger.Count, cashDrift, holdingDrifts, wrongAfter);
            if (result.HasDrift)
            {
                logger.LogWarning("Ledger drift for user {UserId}: cash {CashDrift}, {HoldingDrifts} holdings, {WrongAfter} ledger rows{Repair}",
                    userId, cashDrift, holdingDrifts.Count, wrongAfter, repair ? "; repairing" : "");
            }
            if (repair && result.HasDrift)
            {
                Repair(userId, account, stored, positions, cash);
                await db.SaveChangesAsync(ct);
            }
            return result;
        }, ct);

    void Repair(long userId, CashAccount account, List<Holding> stored, Dictionary<string, Position> positions, CashState cash)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        account.CapitalDeployed = cash.CapitalDeployed;
        account.CashProceeds = cash.CashProceeds;
        account.UpdatedAt = now;
        foreach (var holding in stored.Where(h => positions.GetValueOrDefault(h.Ticker).Quantity <= 0m))
        {
            db.Holdings.Remove(holding);
        }
        foreach (var (ticker, position) in positions.Where(p => p.Value.Quantity > 0m))
        {
            var holding = stored.SingleOrDefault(h => h.Ticker == ticker);
            if (holding is null)
            {
                holding = new Holding { UserId = userId, Ticker = ticker, OpenedAt = now };
                db.Holdings.Add(holding);
            }
            holding.Quantity = position.Quantity;
            holding.AverageCost = position.AverageCost;
            holding.UpdatedAt = now;
        }
    }
}
