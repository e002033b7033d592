package event

// ClassNames are the names of the status classes, indexed by Class1xx…
// ClassOther: the keys of a summary's "status" object, and what people
// are shown.
var ClassNames = [NumClasses]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}
