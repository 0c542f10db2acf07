namespace Qwen.Tools;

/// <summary>The descriptive statistics the sandbox's <c>stats</c> helper offers, over values with the missing ones already removed.</summary>
internal static class Statistics
{
    public static double Sum(double[] values)
    {
        // Neumaier summation: a long column of prices should not drift in the last digits.
        double sum = 0, compensation = 0;
        foreach (var value in values)
        {
            var total = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - total) + value : (value - total) + sum;
            sum = total;
        }

        return sum + compensation;
    }

    public static double Mean(double[] values) => values.Length == 0 ? double.NaN : Sum(values) / values.Length;

    /// <summary>The sample variance (divided by n - 1), as pandas and R report it.</summary>
    public static double Variance(double[] values)
    {
        if (values.Length < 2)
        {
            return double.NaN;
        }

        var mean = Mean(values);
        double squares = 0;
        foreach (var value in values)
        {
            squares += (value - mean) * (value - mean);
        }

        return squares / (values.Length - 1);
    }

    public static double StandardDeviation(double[] values) => Math.Sqrt(Variance(values));

    public static double Min(double[] values) => values.Length == 0 ? double.NaN : values.Min();

    public static double Max(double[] values) => values.Length == 0 ? double.NaN : values.Max();

    /// <summary>The <paramref name="q"/>-quantile with linear interpolation between order statistics (NumPy's and pandas' default).</summary>
    public static double Quantile(double[] values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return SortedQuantile(sorted, q);
    }

    public static double Median(double[] values) => Quantile(values, 0.5);

    /// <summary>Pearson's correlation of two equally long series.</summary>
    public static double Correlation(double[] x, double[] y)
    {
        if (x.Length < 2)
        {
            return double.NaN;
        }

        double meanX = Mean(x), meanY = Mean(y), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
            syy += (y[i] - meanY) * (y[i] - meanY);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The least-squares line <c>y = slope * x + intercept</c> and its coefficient of determination.</summary>
    public static (double Slope, double Intercept, double R2) LinearRegression(double[] x, double[] y)
    {
        if (x.Length < 2)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        double meanX = Mean(x), meanY = Mean(y), sxy = 0, sxx = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
        }

        var slope = sxy / sxx;
        var r = Correlation(x, y);
        return (slope, meanY - (slope * meanX), r * r);
    }

    public static double SortedQuantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
