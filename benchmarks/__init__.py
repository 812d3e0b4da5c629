"""`make bench`: the pipeline and the compiler measured the way users feel them, each beside a baseline and a floor."""
