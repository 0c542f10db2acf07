using System.Runtime.CompilerServices;

namespace Qwen.Core;

/// <summary>A macro (or the <c>caller</c> of a call block) bound to the scope it was defined in. Calling it renders its body and returns the text.</summary>
internal sealed class JinjaMacro(JinjaSignature signature, JinjaScope closure) : JinjaCallable
{
    public override string Name => signature.Name;

    public override object? Invoke(JinjaContext context, JinjaArguments arguments)
    {
        if (++context.CallDepth > JinjaContext.MaxCallDepth)
        {
            context.CallDepth--;
            throw new TemplateException($"macro '{Name}' called itself more than {JinjaContext.MaxCallDepth} levels deep");
        }

        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            var parameters = signature.Parameters;
            var scope = new JinjaScope(closure);
            var given = new bool[parameters.Length];
            var varargs = new List<object?>();
            for (var i = 0; i < arguments.Positional.Count; i++)
            {
                if (i < parameters.Length)
                {
                    scope.Set(parameters[i], arguments.Positional[i]);
                    given[i] = true;
                }
                else
                {
                    varargs.Add(arguments.Positional[i]);
                }
            }

            var kwargs = new JinjaDict();
            foreach (var (name, value) in arguments.Named)
            {
                var index = Array.IndexOf(parameters, name);
                if (index >= 0)
                {
                    if (given[index])
                    {
                        throw new TemplateException($"macro '{Name}' got multiple values for argument '{name}'");
                    }

                    scope.Set(name, value);
                    given[index] = true;
                }
                else if (name == "caller")
                {
                    scope.Set(name, value);
                }
                else
                {
                    kwargs[name] = value;
                }
            }

            scope.Set("varargs", varargs.ToArray());
            scope.Set("kwargs", kwargs);
            var saved = context.Scope;
            context.Scope = scope;
            try
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    if (!given[i])
                    {
                        var fallback = signature.Defaults[i];
                        scope.Set(parameters[i], fallback is null
                            ? JinjaUndefined.WithHint($"parameter '{parameters[i]}' was not provided")
                            : fallback.Evaluate(context));
                    }
                }
            }
            finally
            {
                context.Scope = saved;
            }

            return context.Capture(scope, signature.Body);
        }
        finally
        {
            context.CallDepth--;
        }
    }
}
