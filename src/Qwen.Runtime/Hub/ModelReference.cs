using System.Diagnostics.CodeAnalysis;

namespace Qwen.Runtime;

/// <summary>A model on the Hugging Face Hub: a repository id such as <c>Qwen/Qwen3-0.6B</c> and an optional branch, tag or commit.</summary>
/// <remarks>Written <c>org/name</c> or <c>org/name@revision</c>; the revision defaults to <c>main</c>.</remarks>
public sealed record ModelReference
{
    /// <summary>The branch used when no revision is given.</summary>
    public const string DefaultRevision = "main";

    private const int MaxPartLength = 96;

    /// <summary>Creates a reference, checking both parts.</summary>
    /// <param name="repoId">The repository, <c>org/name</c>.</param>
    /// <param name="revision">A branch, tag or commit; null for <c>main</c>.</param>
    /// <exception cref="ArgumentException">The repository id or revision is malformed; the message says how.</exception>
    public ModelReference(string repoId, string? revision = null)
    {
        ArgumentNullException.ThrowIfNull(repoId);
        if (CheckRepoId(repoId) is { } repoError)
        {
            throw new ArgumentException(repoError, nameof(repoId));
        }

        if (revision is not null && CheckRevision(revision) is { } revisionError)
        {
            throw new ArgumentException(revisionError, nameof(revision));
        }

        RepoId = repoId;
        Revision = revision ?? DefaultRevision;
    }

    /// <summary>Gets the repository, <c>org/name</c>.</summary>
    public string RepoId { get; }

    /// <summary>Gets the branch, tag or commit (<c>main</c> when none was given).</summary>
    public string Revision { get; }

    /// <summary>Gets whether <see cref="Revision"/> is a full 40-character commit hash.</summary>
    public bool IsCommit => IsCommitHash(Revision);

    /// <summary>Parses <c>org/name</c> or <c>org/name@revision</c>.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="ArgumentException">It is not a model name; the message says why.</exception>
    public static ModelReference Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var reference, out var error) ? reference : throw new ArgumentException(error, nameof(value));
    }

    /// <summary>Parses <c>org/name</c> or <c>org/name@revision</c> without throwing.</summary>
    /// <param name="value">The text.</param>
    /// <param name="reference">The reference, when it parses.</param>
    /// <returns>Whether <paramref name="value"/> is a model name.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ModelReference? reference) =>
        TryParse(value, out reference, out _);

    /// <inheritdoc/>
    public override string ToString() => Revision == DefaultRevision ? RepoId : $"{RepoId}@{Revision}";

    internal static bool IsCommitHash(string value) => value.Length == 40 && value.All(char.IsAsciiHexDigitLower);

    private static bool TryParse(string? value, [NotNullWhen(true)] out ModelReference? reference, out string error)
    {
        reference = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "A model name is empty; expected org/name such as Qwen/Qwen3-0.6B.";
            return false;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        var repoId = at < 0 ? value : value[..at];
        var revision = at < 0 ? null : value[(at + 1)..];
        error = CheckRepoId(repoId) ?? (revision is null ? null : CheckRevision(revision))!;
        if (error is not null)
        {
            return false;
        }

        reference = new ModelReference(repoId, revision);
        return true;
    }

    private static string? CheckRepoId(string repoId)
    {
        var parts = repoId.Split('/');
        if (parts.Length != 2 || !parts.All(IsValidPart))
        {
            return $"'{repoId}' is not a Hugging Face model name: expected org/name such as Qwen/Qwen3-0.6B (letters, digits, '-', '_' and '.'; no '--' or '..').";
        }

        return null;
    }

    private static bool IsValidPart(string part) =>
        part.Length is > 0 and <= MaxPartLength
        && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && part[0] is not ('-' or '.') && part[^1] is not ('-' or '.')
        && !part.Contains("--", StringComparison.Ordinal) && !part.Contains("..", StringComparison.Ordinal)
        && !part.EndsWith(".git", StringComparison.Ordinal);

    private static string? CheckRevision(string revision)
    {
        // The revision becomes a path under refs/ in the cache, so it must stay inside it.
        var segments = revision.Split('/');
        return revision.Length == 0 || revision.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\\' or ':' or '@')
            || segments.Any(s => s is "" or "." or "..")
            ? $"'{revision}' is not a branch, tag or commit name."
            : null;
    }
}
