namespace EdgeRuntime.Graph.Autodiff;

/// <summary>The loss functions a training graph can compute (definitions in docs/learning.md, "Training graphs").</summary>
public enum LossKind
{
    /// <summary>(y − t)², averaged: the regression loss whose minimiser is the conditional mean.</summary>
    MeanSquaredError,

    /// <summary>|y − t|, averaged: the regression loss whose minimiser is the conditional median.</summary>
    MeanAbsoluteError,

    /// <summary>½r² for |r| ≤ δ, δ(|r| − ½δ) beyond (Huber 1964): quadratic near zero, linear for outliers.</summary>
    Huber,

    /// <summary>−log softmax(y)[t] over the last axis of the logits y, with t an int64 class index.</summary>
    SoftmaxCrossEntropy,
}
