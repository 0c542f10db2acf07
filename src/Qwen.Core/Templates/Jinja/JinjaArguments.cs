namespace Qwen.Core;

/// <summary>The arguments of one call from a template (function, method, filter or test): positional values and keyword values.</summary>
internal sealed class JinjaArguments
{
    /// <summary>Marks a parameter the caller did not pass and that has no default.</summary>
    public static readonly object Missing = new();

    public static readonly JinjaArguments Empty = new([], []);

    public JinjaArguments(List<object?> positional, List<KeyValuePair<string, object?>> named)
    {
        Positional = positional;
        Named = named;
    }

    public List<object?> Positional { get; }

    public List<KeyValuePair<string, object?>> Named { get; }

    public int Count => Positional.Count + Named.Count;

    /// <summary>Matches the arguments to a Python-style signature.</summary>
    /// <param name="function">The callee's name, for messages.</param>
    /// <param name="names">Parameter names in order.</param>
    /// <param name="defaults">Default per parameter; <see cref="Missing"/> for a required one.</param>
    /// <returns>One value per parameter.</returns>
    public object?[] Bind(string function, string[] names, params object?[] defaults)
    {
        if (Positional.Count > names.Length)
        {
            throw new TemplateException($"{function}() takes at most {names.Length} argument(s) ({Positional.Count} given)");
        }

        var values = new object?[names.Length];
        var given = new bool[names.Length];
        for (var i = 0; i < Positional.Count; i++)
        {
            values[i] = Positional[i];
            given[i] = true;
        }

        foreach (var (name, value) in Named)
        {
            var index = Array.IndexOf(names, name);
            if (index < 0)
            {
                throw new TemplateException($"{function}() got an unexpected keyword argument '{name}'");
            }

            if (given[index])
            {
                throw new TemplateException($"{function}() got multiple values for argument '{name}'");
            }

            values[index] = value;
            given[index] = true;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!given[i])
            {
                var fallback = i < defaults.Length ? defaults[i] : Missing;
                if (ReferenceEquals(fallback, Missing))
                {
                    throw new TemplateException($"{function}() missing required argument '{names[i]}'");
                }

                values[i] = fallback;
            }
        }

        return values;
    }

    /// <summary>Fails unless the call passed no keyword arguments.</summary>
    public void NoNamed(string function)
    {
        if (Named.Count > 0)
        {
            throw new TemplateException($"{function}() got an unexpected keyword argument '{Named[0].Key}'");
        }
    }
}
