using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// Newest-first paging by id: <c>limit</c> (1–200, 50 by default) and <c>before</c> (the previous page's
/// <c>next_cursor</c>). One set of rules for every history endpoint.
/// </summary>
public readonly record struct CursorPage(int Size, long? Before)
{
    public const int DefaultSize = 50, MaxSize = 200;

    public static bool TryParse(int? limit, string? before, out CursorPage page, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        page = default;
        problem = null;
        var size = limit ?? DefaultSize;
        if (size is < 1 or > MaxSize)
        {
            problem = ApiProblem.Validation("limit", $"The field limit must be between 1 and {MaxSize}.");
            return false;
        }
        long? cursor = null;
        if (!string.IsNullOrEmpty(before))
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
            {
                problem = ApiProblem.Validation("before", "The field before must be a cursor returned as next_cursor.");
                return false;
            }
            cursor = parsed;
        }
        page = new CursorPage(size, cursor);
        return true;
    }

    /// <summary>Rows fetched as <see cref="Size"/> + 1, newest first: the page and the cursor of the next one (null at the end).</summary>
    public (IEnumerable<T> Items, string? NextCursor) Cut<T>(List<T> rows, Func<T, long> id) =>
        (rows.Take(Size), rows.Count > Size ? id(rows[Size - 1]).ToString(CultureInfo.InvariantCulture) : null);
}
