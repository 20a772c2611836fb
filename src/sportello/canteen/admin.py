"""The school office configures the service here: school years (enrolment window, cut-off hour
for absences, low-credit threshold, reductions), schools and classes with their canteen days,
tariffs by ISEE band, the diets offered, and the calendar's closures."""

from django.contrib import admin

from sportello.canteen.models import (
    Closure,
    DietOption,
    School,
    SchoolClass,
    SchoolYear,
    TariffBand,
)


class TariffBandInline(admin.TabularInline):
    model = TariffBand
    extra = 1


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "starts",
        "ends",
        "enrolment_opens",
        "enrolment_closes",
        "absence_cutoff",
    ]
    inlines = [TariffBandInline]


class SchoolClassInline(admin.TabularInline):
    model = SchoolClass
    extra = 1


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "grade", "address"]
    list_filter = ["grade"]
    inlines = [SchoolClassInline]


@admin.register(DietOption)
class DietOptionAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "school", "note"]
    list_filter = ["kind", "school"]
    date_hierarchy = "day"
