package dashboard

import "charm.land/lipgloss/v2"

// Styles. Colour is dropped by the program's renderer when the terminal
// has none or NO_COLOR is set; bold and reverse video are kept, so what
// must stand out (a firing alert, server errors) still does.
var (
	styleTitle     = lipgloss.NewStyle().Bold(true)
	styleFaint     = lipgloss.NewStyle().Faint(true)
	styleBanner    = lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(lipgloss.Red)
	styleResolved  = lipgloss.NewStyle().Foreground(lipgloss.Green)
	styleErr5      = lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(lipgloss.Red)
	styleErr4      = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	styleBar       = lipgloss.NewStyle().Foreground(lipgloss.Cyan)
	styleBarOver   = lipgloss.NewStyle().Foreground(lipgloss.Red)
	styleThreshold = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	styleKey       = lipgloss.NewStyle().Bold(true)
	stylePaused    = lipgloss.NewStyle().Bold(true).Reverse(true)
)
